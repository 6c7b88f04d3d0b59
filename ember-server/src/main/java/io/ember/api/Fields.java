package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of request fields, each failure a ValidationException naming the field. Fields the
 * server does not know are ignored (newer clients may send them); known ones must be well typed.
 * A JSON null is the same as an absent field.
 */
final class Fields {
    private Fields() {}

    static String string(ObjectNode n, String field, boolean required, int maxLength) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiException.validation(field + " is required");
            return null;
        }
        if (!v.isTextual()) throw ApiException.validation(field + " must be a string");
        String s = v.textValue();
        if (required && s.isEmpty()) throw ApiException.validation(field + " must not be empty");
        if (s.length() > maxLength) throw ApiException.validation(field + " must be at most " + maxLength + " characters");
        if (s.indexOf('\0') >= 0) throw ApiException.validation(field + " must not contain NUL characters");
        return s;
    }

    static Integer integer(ObjectNode n, String field, boolean required, int min, int max) {
        Long v = longInteger(n, field, required, min, max);
        return v == null ? null : (int) (long) v;
    }

    static Long longInteger(ObjectNode n, String field, boolean required, long min, long max) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiException.validation(field + " is required");
            return null;
        }
        boolean integral = v.isIntegralNumber()
                || v.isFloatingPointNumber() && Double.isFinite(v.doubleValue()) && v.doubleValue() == Math.rint(v.doubleValue());
        if (!integral) throw ApiException.validation(field + " must be an integer");
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.validation(field + " must be between " + min + " and " + max);
        }
        return v.longValue();
    }

    static Boolean bool(ObjectNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiException.validation(field + " is required");
            return null;
        }
        if (!v.isBoolean()) throw ApiException.validation(field + " must be a boolean");
        return v.booleanValue();
    }

    /**
     * A copy of {@code nested} with each key prefixed by {@code name.}, so that the typed reads above name the
     * full field in their messages ({@code idlePolicy.maxIdleDurationSeconds must be ...}).
     */
    static ObjectNode named(String name, ObjectNode nested) {
        ObjectNode out = Json.object();
        nested.properties().forEach(e -> out.set(name + "." + e.getKey(), e.getValue()));
        return out;
    }

    static ObjectNode object(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!(v instanceof ObjectNode o)) throw ApiException.validation(field + " must be an object");
        return o;
    }

    static List<String> strings(ObjectNode n, String field, int maxItems, int maxLength) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw ApiException.validation(field + " must be an array of strings");
        if (v.size() > maxItems) throw ApiException.validation(field + " must have at most " + maxItems + " items");
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isTextual()) throw ApiException.validation(field + "[" + i + "] must be a string");
            String s = item.textValue();
            if (s.length() > maxLength) {
                throw ApiException.validation(field + "[" + i + "] must be at most " + maxLength + " characters");
            }
            if (s.indexOf('\0') >= 0) throw ApiException.validation(field + "[" + i + "] must not contain NUL characters");
            out.add(s);
        }
        return out;
    }

    static Map<String, String> stringMap(ObjectNode n, String field, int maxEntries, int maxLength) {
        ObjectNode o = object(n, field);
        if (o == null) return null;
        if (o.size() > maxEntries) throw ApiException.validation(field + " must have at most " + maxEntries + " entries");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String key = field + "." + e.getKey();
            if (!e.getValue().isTextual()) throw ApiException.validation(key + " must be a string");
            String s = e.getValue().textValue();
            if (s.length() > maxLength) throw ApiException.validation(key + " must be at most " + maxLength + " characters");
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** An integer query parameter, or null when absent. */
    static Integer queryInt(String raw, String name, int min, int max) {
        if (raw == null) return null;
        try {
            long v = Long.parseLong(raw.trim());
            if (v < min || v > max) throw ApiException.validation(name + " must be between " + min + " and " + max);
            return (int) v;
        } catch (NumberFormatException e) {
            throw ApiException.validation(name + " must be an integer between " + min + " and " + max);
        }
    }

    /** A boolean query parameter ({@code true} or {@code false}), or {@code dflt} when absent. */
    static boolean queryBool(String raw, String name, boolean dflt) {
        if (raw == null) return dflt;
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.validation(name + " must be true or false");
        };
    }
}
