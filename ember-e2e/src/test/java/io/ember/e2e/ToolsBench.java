package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ToolOptions;
import io.ember.sdk.ToolUse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Round trips of agent tool calls on a running debian microVM, printed as medians (run with bench/tools):
 * a bash tool call of {@code true} in a warm session against a plain exec of {@code true}, a text editor view,
 * and the first call of a new session (which starts its shell). Figures only, never asserted.
 */
public final class ToolsBench {
    private static final int CALLS = Integer.getInteger("bench.calls", 30);

    public static void main(String[] args) throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            EmberClient client = server.client();
            String id = client.runMicrovm(io.ember.sdk.RunMicrovmRequest.of("debian")).microvmId();
            client.waitUntilRunning(id, java.time.Duration.ofMinutes(3));
            client.runTool(id, ToolUse.editor("t0", "create", Map.of("path", "bench.txt", "file_text", "a\n".repeat(200))));
            List<Double> exec = new ArrayList<>(), bash = new ArrayList<>(), view = new ArrayList<>(), fresh = new ArrayList<>();
            for (int i = 0; i < CALLS + 3; i++) {
                long t0 = System.nanoTime();
                client.execAndWait(id, ExecRequest.command("true"));
                double e = ms(t0);
                t0 = System.nanoTime();
                client.runTool(id, ToolUse.bash("b" + i, "true"));
                double b = ms(t0);
                t0 = System.nanoTime();
                client.runTool(id, ToolUse.editor("v" + i, "view", Map.of("path", "bench.txt")));
                double v = ms(t0);
                t0 = System.nanoTime();
                client.runTool(id, ToolUse.bash("f" + i, "true"), ToolOptions.session("s" + i));
                double f = ms(t0);
                if (i < 3) continue; // warm-up: JIT, connections, the default session's shell
                exec.add(e);
                bash.add(b);
                view.add(v);
                fresh.add(f);
            }
            System.out.printf("Ember agent tools benchmark (debian, accelerator setting %s, medians of %d)%n",
                    EmberTestServer.accelerator(), CALLS);
            print("exec `true` (for comparison)", exec);
            print("bash tool `true`, warm session", bash);
            print("text editor view, 200 lines", view);
            print("bash tool, first call of a session", fresh);
            client.terminateMicrovm(id);
        }
    }

    private static void print(String what, List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        System.out.printf("%-38s %8.1f ms  (min %.1f, max %.1f)%n", what, s.get(s.size() / 2), s.getFirst(), s.getLast());
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
