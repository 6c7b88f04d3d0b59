package io.ember.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code --output table}: an answer as boxed tables for people. An object's scalar fields form a
 * two-column table; a list of objects forms one table with a column per field (in order of first
 * appearance); nested objects and lists follow under their field name.
 */
final class Tables {
    private Tables() {}

    static List<String> render(JsonNode node) {
        List<String> out = new ArrayList<>();
        section(null, node, out);
        return out;
    }

    private static void section(String title, JsonNode node, List<String> out) {
        if (node.isArray()) {
            list(title, node, out);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (f.getValue().isValueNode()) rows.add(List.of(f.getKey(), f.getValue().asText()));
        }
        if (!rows.isEmpty()) box(title, null, rows, out);
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (!f.getValue().isValueNode()) section(name(title, f.getKey()), f.getValue(), out);
        }
    }

    private static void list(String title, JsonNode array, List<String> out) {
        Set<String> columns = new LinkedHashSet<>();
        List<String> scalars = new ArrayList<>();
        for (JsonNode e : array) {
            if (e.isObject()) e.properties().forEach(f -> { if (f.getValue().isValueNode()) columns.add(f.getKey()); });
            else if (e.isValueNode()) scalars.add(e.asText());
        }
        if (!scalars.isEmpty()) box(title, null, scalars.stream().map(List::of).toList(), out);
        if (columns.isEmpty()) return;
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : array) {
            if (!e.isObject()) continue;
            rows.add(columns.stream().map(c -> e.has(c) && !e.get(c).isNull() ? e.get(c).asText() : "").toList());
        }
        box(title, List.copyOf(columns), rows, out);
    }

    private static void box(String title, List<String> header, List<List<String>> rows, List<String> out) {
        int n = header != null ? header.size() : rows.getFirst().size();
        int[] width = new int[n];
        if (header != null) for (int i = 0; i < n; i++) width[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < n; i++) width[i] = Math.max(width[i], r.get(i).length());
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) rule.append("-".repeat(w + 2)).append('+');
        if (title != null) out.add(title.toUpperCase(Locale.ROOT));
        out.add(rule.toString());
        if (header != null) {
            out.add(line(header, width));
            out.add(rule.toString());
        }
        for (List<String> r : rows) out.add(line(r, width));
        out.add(rule.toString());
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < width.length; i++) {
            sb.append(' ').append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length())).append(" |");
        }
        return sb.toString();
    }

    private static String name(String parent, String field) {
        return parent == null ? field : parent + "." + field;
    }
}
