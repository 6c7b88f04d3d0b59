package io.ember.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The answer to a {@link ToolUse}: the Messages API's {@code tool_result} block, ready to go back to the model. */
public record ToolResult(String toolUseId, String content, boolean isError) {

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "tool_result").put("tool_use_id", toolUseId).put("content", content).put("is_error", isError);
        return o;
    }
}
