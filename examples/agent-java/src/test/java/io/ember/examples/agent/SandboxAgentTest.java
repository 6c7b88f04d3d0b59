package io.ember.examples.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.EmberClient;
import io.ember.sdk.RunMicrovmRequest;
import io.ember.sdk.ToolResult;
import io.ember.sdk.ToolUse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop end to end without the network: the model's answers are replayed from recorded Messages API responses
 * (src/test/resources/recorded/primes), every tool call runs in a real debian microVM through Ember, and the test
 * checks what went back to the model.
 */
class SandboxAgentTest {

    @Test
    void theLoopRunsEachToolCallInTheMicrovmAndReturnsTheResultsToTheModel() throws Exception {
        try (LocalEmber ember = new LocalEmber(); ReplayedModel model = new ReplayedModel("recorded/primes", 6)) {
            EmberClient client = ember.client();
            String vm = client.runMicrovm(RunMicrovmRequest.of("debian")).microvmId();
            client.waitUntilRunning(vm, Duration.ofMinutes(3));
            AnthropicClient anthropic = AnthropicOkHttpClient.builder().apiKey("sk-ant-test-key-stays-on-the-loop")
                    .baseUrl(model.baseUrl()).maxRetries(0).build();
            List<String> log = new ArrayList<>();
            SandboxAgent.Outcome outcome;
            try {
                outcome = SandboxAgent.builder().anthropic(anthropic).ember(client).microvmId(vm).log(log::add)
                        .build().run("Write a Python script that prints the first 10 primes, run it and fix it if needed.");
            } finally {
                anthropic.close();
            }

            assertThat(outcome.stopReason()).isEqualTo("end_turn");
            assertThat(outcome.turns()).isEqualTo(6);
            assertThat(outcome.text()).contains("[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]");
            List<SandboxAgent.Step> steps = outcome.steps();
            assertThat(steps).extracting(s -> s.toolUse().name()).containsExactly("bash", "str_replace_based_edit_tool",
                    "bash", "str_replace_based_edit_tool", "str_replace_based_edit_tool", "bash");
            assertThat(steps).allSatisfy(s -> assertThat(s.result().isError()).as(s.result().content()).isFalse());
            assertThat(steps.get(0).result().content()).startsWith("Python 3.");
            assertThat(steps.get(1).result().content()).isEqualTo("File created successfully at: /workspace/primes/primes.py");
            // The relative path works because the shell stayed in the directory the first call went to.
            assertThat(steps.get(2).result().content()).isEqualTo("[1, 2, 3, 5, 7, 11, 13, 17, 19, 23]");
            assertThat(steps.get(3).result().content()).startsWith("The file /workspace/primes/primes.py has been edited.");
            assertThat(steps.get(4).result().content()).contains("     2\t    if n < 2:");
            assertThat(steps.get(5).result().content()).isEqualTo("[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]\n/workspace/primes");

            // What the model was sent: the two Anthropic-defined tools, the key from this side only, the results.
            List<ReplayedModel.Request> sent = model.requests();
            assertThat(sent).hasSize(6);
            JsonNode first = sent.get(0).body();
            assertThat(first.get("tools").findValuesAsText("type")).containsExactly("bash_20250124", "text_editor_20250728");
            assertThat(first.get("tools").findValuesAsText("name")).containsExactly("bash", "str_replace_based_edit_tool");
            assertThat(sent).allSatisfy(r -> assertThat(r.carries("sk-ant-test-key-stays-on-the-loop")).as("the loop's key").isTrue());
            JsonNode third = lastUserContent(sent.get(3).body());
            assertThat(third.get(0).get("type").asText()).isEqualTo("tool_result");
            assertThat(third.get(0).get("tool_use_id").asText()).isEqualTo("toolu_01Primes03Rec");
            assertThat(third.get(0).toString()).contains("[1, 2, 3, 5, 7, 11, 13, 17, 19, 23]");
            JsonNode parallel = lastUserContent(sent.get(5).body());
            assertThat(parallel).hasSize(2);
            assertThat(parallel.get(0).get("tool_use_id").asText()).isEqualTo("toolu_01Primes05Rec");
            assertThat(parallel.get(1).get("tool_use_id").asText()).isEqualTo("toolu_01Primes06Rec");
            assertThat(parallel.get(1).toString()).contains("[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]");

            // The fix is in the microVM's file, and the key never went there.
            ToolResult file = client.runTool(vm, ToolUse.bash("toolu_check", "cat /workspace/primes/primes.py; "
                    + "grep -rs sk-ant-test /workspace /root /tmp /etc/environment | wc -l"));
            assertThat(file.content()).contains("    if n < 2:\n        return False").endsWith("\n0");
            assertThat(log).anyMatch(l -> l.startsWith("tool bash:"));
        }
    }

    private static JsonNode lastUserContent(JsonNode body) {
        JsonNode messages = body.get("messages");
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last.get("role").asText()).isEqualTo("user");
        return last.get("content");
    }
}
