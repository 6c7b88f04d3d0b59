package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to a {@link ToolUse}: the Messages API's {@code tool_result} block, to send back to the model as is.
 * {@code isError} is true when the tool call failed in a way the model should read (a timeout, a missing file,
 * a non-unique {@code old_str}); {@code content} then says what happened.
 */
public record ToolResult(String type, @JsonProperty("tool_use_id") String toolUseId, String content,
                         @JsonProperty("is_error") boolean isError) {}
