package io.ember.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One client tool call as the Anthropic Messages API sends it: {@code {"type":"tool_use","id","name","input"}}.
 * Fields the block may gain later are ignored; the ones read here must be well typed.
 */
public record ToolUse(String id, String name, ObjectNode input) {
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_NAME_LENGTH = 128;

    /** The block {@code node}; {@link IllegalArgumentException} with a message naming the field when it is not one. */
    public static ToolUse parse(JsonNode node) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException("the body must be a tool_use block (a JSON object)");
        JsonNode type = node.get("type");
        if (type != null && !type.isNull() && !"tool_use".equals(type.asText(null))) {
            throw new IllegalArgumentException("type must be \"tool_use\", not " + type);
        }
        String id = text(node, "id", MAX_ID_LENGTH);
        String name = text(node, "name", MAX_NAME_LENGTH);
        JsonNode input = node.get("input");
        if (input == null || input.isNull()) input = JsonNodeFactory.instance.objectNode();
        if (!input.isObject()) throw new IllegalArgumentException("input must be an object");
        return new ToolUse(id, name, (ObjectNode) input);
    }

    private static String text(JsonNode node, String field, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException(field + " is required");
        if (!v.isTextual()) throw new IllegalArgumentException(field + " must be a string");
        String s = v.textValue();
        if (s.isEmpty()) throw new IllegalArgumentException(field + " must not be empty");
        if (s.length() > max) throw new IllegalArgumentException(field + " must be at most " + max + " characters");
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) throw new IllegalArgumentException(field + " must not contain control characters");
        }
        return s;
    }
}
