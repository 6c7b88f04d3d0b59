package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import io.ember.sdk.RunMicrovmRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reliability part 3 (bench/reliability neighbours): microVM B's exec round trip ({@code true}) while microVM A, on
 * the same real server, runs one aggressor at a time (a fresh A each), against a quiet baseline measured in the same
 * run, before and after (the machine is shared: the second quiet row shows how much it drifted). Goal: p99 within 2x
 * of the baseline. Figures only. Knobs: -Dbench.execs (200; short run 40), -Dbench.warmSeconds (3).
 */
public final class NeighboursBench {
    private static final int EXECS = Figures.knob("bench.execs", 200, 40);
    private static final int WARM_SECONDS = Integer.getInteger("bench.warmSeconds", 3);
    /** Each runs detached in A until A is terminated; busybox sh. */
    static final Map<String, String> AGGRESSORS = new LinkedHashMap<>();

    static {
        AGGRESSORS.put("fork bomb", "b() { b | b & }; b");
        AGGRESSORS.put("memory hog (tmpfs of 80% of RAM, rewritten)",
                "mkdir -p /mnt/hog && mount -t tmpfs -o size=80% hog /mnt/hog;"
                        + " while true; do dd if=/dev/zero of=/mnt/hog/x bs=1M 2>/dev/null; rm -f /mnt/hog/x; done");
        AGGRESSORS.put("disk writer (dd 128 MiB, fsync, loop)",
                "while true; do dd if=/dev/zero of=/workspace/hog bs=1M count=128 conv=fsync 2>/dev/null; done");
        AGGRESSORS.put("console flood (yes > /dev/console)", "yes > /dev/console");
    }

    public static void main(String[] args) throws Exception {
        Path work = Figures.workDir("ember-nb-");
        try (BenchServer server = BenchServer.start(work)) {
            run(server.client());
        }
    }

    private static void run(EmberClient client) {
        String b = launch(client);
        List<String> rows = new ArrayList<>();
        List<Double> quiet = roundTrips(client, b);
        double baseP99 = Figures.percentile(quiet, 99), baseP50 = Figures.median(quiet);
        rows.add(row("none (quiet baseline)", quiet, baseP50, baseP99));
        for (var aggressor : AGGRESSORS.entrySet()) {
            String a = launch(client);
            try {
                String script = "setsid sh -c '" + aggressor.getValue() + "' </dev/null >/dev/null 2>&1 & echo started";
                ExecResult started = client.execAndWait(a, ExecRequest.shell(script));
                if (!started.stdoutText().contains("started")) throw new IllegalStateException(aggressor.getKey() + ": " + started);
                BenchServer.sleep(WARM_SECONDS * 1000L);
                rows.add(row(aggressor.getKey(), roundTrips(client, b), baseP50, baseP99));
            } finally {
                client.terminateMicrovm(a);
            }
        }
        rows.add(row("none again (drift of the machine)", roundTrips(client, b), baseP50, baseP99));
        client.terminateMicrovm(b);
        System.out.printf("%nNoisy neighbours: exec `true` round trip in microVM B while microVM A runs the aggressor"
                + " (busybox, 1 vCPU, 128 MiB each, n=%d per row, accelerator %s)%n", EXECS, EmberTestServer.accelerator());
        System.out.println("| aggressor in A | B p50 | B p99 | p50 / quiet | p99 / quiet |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static String row(String name, List<Double> rtt, double baseP50, double baseP99) {
        double p50 = Figures.median(rtt), p99 = Figures.percentile(rtt, 99);
        return "| %s | %.1f ms | %.1f ms | %.2fx | %.2fx |".formatted(name, p50, p99, p50 / baseP50, p99 / baseP99);
    }

    private static List<Double> roundTrips(EmberClient client, String id) {
        List<Double> rtt = new ArrayList<>();
        for (int i = 0; i < EXECS + 3; i++) {
            long t0 = System.nanoTime();
            ExecResult r = client.execAndWait(id, ExecRequest.command("true"));
            if (r.exitCode() != 0) throw new IllegalStateException("`true` failed in " + id + ": " + r);
            if (i >= 3) rtt.add(Figures.ms(t0)); // the first calls warm connections
        }
        return rtt;
    }

    private static String launch(EmberClient client) {
        String id = client.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId();
        client.waitUntilRunning(id, Duration.ofMinutes(3));
        return id;
    }
}
