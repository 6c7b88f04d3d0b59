package io.ember.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One client tool call as the Anthropic Messages API returns it ({@code {"type":"tool_use","id","name","input"}}),
 * for {@link EmberClient#runTool}: Ember runs {@code bash} ({@code command}, {@code restart}) and
 * {@code str_replace_based_edit_tool} ({@code command} = view, create, str_replace, insert; {@code path}; ...).
 * {@code input} is the block's input as parsed JSON (maps, lists, strings, numbers, booleans).
 */
public record ToolUse(String type, String id, String name, Map<String, Object> input) {
    public static final String BASH = "bash";
    public static final String TEXT_EDITOR = "str_replace_based_edit_tool";

    public ToolUse {
        type = type == null ? "tool_use" : type;
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        input = input == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(input));
    }

    public static ToolUse of(String id, String name, Map<String, Object> input) {
        return new ToolUse("tool_use", id, name, input);
    }

    /** A bash tool call running {@code command} in the session's shell. */
    public static ToolUse bash(String id, String command) {
        return of(id, BASH, Map.of("command", command));
    }

    /** A bash tool call that restarts the session's shell. */
    public static ToolUse bashRestart(String id) {
        return of(id, BASH, Map.of("restart", true));
    }

    /** A text editor call: {@code command} with its parameters ({@code path}, {@code old_str}, ...). */
    public static ToolUse editor(String id, String command, Map<String, Object> parameters) {
        Map<String, Object> in = new LinkedHashMap<>(parameters);
        in.put("command", command);
        return of(id, TEXT_EDITOR, in);
    }
}
