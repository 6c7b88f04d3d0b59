package io.ember.examples.agent;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import io.ember.sdk.EmberClient;
import io.ember.sdk.Microvm;
import io.ember.sdk.RunMicrovmRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar ... [--endpoint URL] [--image debian] [--model M] [--max-turns N] [--keep] TASK...}: starts a
 * microVM, runs the agent on TASK in it, prints the tool calls to stderr and the answer to stdout, and terminates
 * the microVM (unless --keep). The model's API key is read from ANTHROPIC_API_KEY here, on this machine only.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String endpoint = System.getenv().getOrDefault("EMBER_ENDPOINT", "http://127.0.0.1:8080");
        String image = "debian";
        String model = SandboxAgent.DEFAULT_MODEL;
        int maxTurns = 30;
        boolean keep = false;
        List<String> task = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--image" -> image = args[++i];
                case "--model" -> model = args[++i];
                case "--max-turns" -> maxTurns = Integer.parseInt(args[++i]);
                case "--keep" -> keep = true;
                default -> task.add(args[i]);
            }
        }
        if (task.isEmpty()) {
            System.err.println("usage: ember-example-agent [--endpoint URL] [--image NAME] [--model M] [--max-turns N] [--keep] TASK...");
            System.exit(2);
        }
        if (System.getenv("ANTHROPIC_API_KEY") == null) {
            System.err.println("ANTHROPIC_API_KEY is not set: the loop calls the model from this machine with it.");
            System.exit(2);
        }
        AnthropicClient anthropic = AnthropicOkHttpClient.fromEnv();
        try (EmberClient ember = EmberClient.create(endpoint)) {
            Microvm vm = ember.runMicrovm(RunMicrovmRequest.of(image));
            System.err.println("microVM " + vm.microvmId() + " (" + image + ")");
            try {
                ember.waitUntilRunning(vm.microvmId(), Duration.ofMinutes(3));
                SandboxAgent.Outcome o = SandboxAgent.builder().anthropic(anthropic).ember(ember).microvmId(vm.microvmId())
                        .model(model).maxTurns(maxTurns).log(System.err::println).build().run(String.join(" ", task));
                System.out.println(o.text());
                System.err.println("(" + o.steps().size() + " tool calls, " + o.turns() + " model calls, stop: " + o.stopReason() + ")");
            } finally {
                if (keep) {
                    System.err.println("kept microVM " + vm.microvmId());
                } else {
                    ember.terminateMicrovm(vm.microvmId());
                }
            }
        } finally {
            anthropic.close();
        }
    }
}
