package io.ember.cli;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Prints answers as the AWS CLI does: JSON indented by 4 with ISO-8601 timestamps, tab-separated text, or tables. */
final class Output {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .addModule(new SimpleModule("ember-cli").addSerializer(Instant.class, ToStringSerializer.instance))
            .build();

    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n"));

    private Output() {}

    static void print(PrintStream out, Object value, EmberCommand.Format format) {
        JsonNode tree = MAPPER.valueToTree(value);
        if (tree.isObject() && tree.isEmpty()) return; // the AWS CLI prints nothing for {}
        if (format == EmberCommand.Format.table) {
            Tables.render(tree).forEach(out::println);
        } else if (format == EmberCommand.Format.text) {
            List<String> lines = new ArrayList<>();
            text(tree, null, lines);
            lines.forEach(out::println);
        } else {
            try {
                out.println(MAPPER.writer(PRETTY).writeValueAsString(tree));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        out.flush();
    }

    /** AWS CLI text: an object's scalars on one line (keys sorted), then its nested parts labelled by key. */
    private static void text(JsonNode node, String label, List<String> lines) {
        if (node.isArray()) {
            List<String> scalars = new ArrayList<>();
            for (JsonNode e : node) {
                if (e.isValueNode()) scalars.add(e.asText());
                else text(e, label, lines);
            }
            if (!scalars.isEmpty()) lines.add(row(label, scalars));
            return;
        }
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) sorted.put(f.getKey(), f.getValue());
        List<String> scalars = new ArrayList<>();
        sorted.values().stream().filter(JsonNode::isValueNode).forEach(v -> scalars.add(v.asText()));
        if (!scalars.isEmpty()) lines.add(row(label, scalars));
        sorted.forEach((k, v) -> {
            if (!v.isValueNode()) text(v, k.toUpperCase(java.util.Locale.ROOT), lines);
        });
    }

    private static String row(String label, List<String> values) {
        return (label == null ? "" : label + "\t") + String.join("\t", values);
    }
}
