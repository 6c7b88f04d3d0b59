package io.ember.examples.agent;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolBash20250124;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolTextEditor20250728;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.core.type.TypeReference;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ToolOptions;
import io.ember.sdk.ToolResult;
import io.ember.sdk.ToolUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The agent loop: the model (through the Anthropic SDK, with the API key of the machine this runs on) asks for
 * bash and text editor calls; each runs in the Ember microVM through {@link EmberClient#runTool}, and its
 * tool_result goes back to the model, until the model answers without a tool call. The microVM never sees the key.
 */
public final class SandboxAgent {
    public static final String DEFAULT_MODEL = "claude-sonnet-4-5";
    static final String SYSTEM = "You work in a sandbox: a Linux microVM of your own, reached through the bash and "
            + "text editor tools. Your working directory is /workspace; the editor takes paths under /workspace. "
            + "The sandbox has no network access. Be concise.";

    /** One tool call and what it answered. */
    public record Step(ToolUse toolUse, ToolResult result) {}

    /** How a run ended: the model's last text, the tool calls made, and why it stopped. */
    public record Outcome(String text, List<Step> steps, int turns, String stopReason) {}

    private final AnthropicClient anthropic;
    private final EmberClient ember;
    private final String microvmId;
    private final String model;
    private final long maxTokens;
    private final int maxTurns;
    private final ToolOptions toolOptions;
    private final Consumer<String> log;

    private SandboxAgent(Builder b) {
        this.anthropic = Objects.requireNonNull(b.anthropic, "anthropic");
        this.ember = Objects.requireNonNull(b.ember, "ember");
        this.microvmId = Objects.requireNonNull(b.microvmId, "microvmId");
        this.model = b.model;
        this.maxTokens = b.maxTokens;
        this.maxTurns = b.maxTurns;
        this.toolOptions = b.toolOptions;
        this.log = b.log;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs {@code task} to the model's final answer, or until {@code maxTurns} model calls were made. */
    public Outcome run(String task) {
        List<MessageParam> messages = new ArrayList<>();
        messages.add(MessageParam.ofUser(task));
        List<Step> steps = new ArrayList<>();
        for (int turn = 1; turn <= maxTurns; turn++) {
            Message reply = anthropic.messages().create(MessageCreateParams.builder()
                    .model(model).maxTokens(maxTokens).system(SYSTEM)
                    .addTool(ToolBash20250124.builder().build())
                    .addTool(ToolTextEditor20250728.builder().build())
                    .messages(messages).build());
            messages.add(reply.toParam());
            List<ContentBlockParam> results = new ArrayList<>();
            for (ContentBlock block : reply.content()) {
                block.text().ifPresent(t -> log.accept("model: " + t.text()));
                if (!block.isToolUse()) continue;
                ToolUseBlock call = block.asToolUse();
                ToolUse use = ToolUse.of(call.id(), call.name(), input(call._input()));
                log.accept("tool " + call.name() + ": " + use.input());
                ToolResult result = ember.runTool(microvmId, use, toolOptions);
                log.accept((result.isError() ? "error: " : "result: ") + result.content());
                steps.add(new Step(use, result));
                results.add(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(result.toolUseId())
                        .content(result.content()).isError(result.isError()).build()));
            }
            String stop = reply.stopReason().map(StopReason::toString).orElse("none");
            if (results.isEmpty()) return new Outcome(text(reply), steps, turn, stop);
            messages.add(MessageParam.ofUserOfContentBlockParams(results));
        }
        return new Outcome("", steps, maxTurns, "max_turns");
    }

    private static Map<String, Object> input(JsonValue input) {
        Map<String, Object> m = input.convert(new TypeReference<Map<String, Object>>() {});
        return m == null ? Map.of() : m;
    }

    private static String text(Message reply) {
        StringBuilder b = new StringBuilder();
        for (ContentBlock c : reply.content()) c.text().ifPresent(t -> b.append(b.isEmpty() ? "" : "\n").append(t.text()));
        return b.toString();
    }

    public static final class Builder {
        private AnthropicClient anthropic;
        private EmberClient ember;
        private String microvmId;
        private String model = DEFAULT_MODEL;
        private long maxTokens = 4096;
        private int maxTurns = 30;
        private ToolOptions toolOptions = ToolOptions.defaults();
        private Consumer<String> log = s -> {};

        private Builder() {}

        public Builder anthropic(AnthropicClient c) { this.anthropic = c; return this; }
        public Builder ember(EmberClient c) { this.ember = c; return this; }
        public Builder microvmId(String id) { this.microvmId = id; return this; }
        public Builder model(String m) { this.model = Objects.requireNonNull(m); return this; }
        public Builder maxTokens(long n) { this.maxTokens = n; return this; }
        public Builder maxTurns(int n) {
            if (n < 1) throw new IllegalArgumentException("maxTurns must be at least 1");
            this.maxTurns = n;
            return this;
        }
        public Builder toolOptions(ToolOptions o) { this.toolOptions = Objects.requireNonNull(o); return this; }
        public Builder log(Consumer<String> l) { this.log = Objects.requireNonNull(l); return this; }

        public SandboxAgent build() {
            return new SandboxAgent(this);
        }
    }
}
