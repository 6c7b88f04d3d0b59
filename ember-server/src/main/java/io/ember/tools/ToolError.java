package io.ember.tools;

/** A tool call that fails in a way the model should read: it becomes a tool_result with is_error. */
final class ToolError extends Exception {
    ToolError(String message) {
        super(message, null, false, false);
    }
}
