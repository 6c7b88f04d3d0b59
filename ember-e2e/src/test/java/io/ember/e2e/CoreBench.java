package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Benchmark of the core slice, printed as medians (run with bench/core). Not a test: these
 * machines are shared and noisy, so figures are printed side by side, never asserted.
 */
public final class CoreBench {

    private static final int BOOTS = intProp("bench.boots", 5);
    private static final int EXECS = intProp("bench.execs", 30);
    private static final int TRANSFERS = intProp("bench.transfers", 3);
    private static final int FILE_MIB = intProp("bench.fileMiB", 64);

    public static void main(String[] args) throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            EmberClient client = server.client();
            System.out.printf("Ember core benchmark (accelerator setting %s, medians)%n", EmberTestServer.accelerator());
            for (String image : List.of("busybox", "debian")) {
                List<Double> boot = new ArrayList<>();
                for (int i = 0; i < BOOTS; i++) {
                    long t0 = System.nanoTime();
                    String id = client.runMicrovm(RunMicrovmRequest.of(image)).microvmId();
                    while (client.getMicrovm(id).state() == MicrovmState.PENDING) Thread.sleep(5);
                    boot.add(ms(t0));
                    client.terminateMicrovm(id);
                }
                System.out.printf("cold boot to agent-ready, %-8s %8.0f ms  (n=%d, min %.0f, max %.0f)%n",
                        image, median(boot), boot.size(), Collections.min(boot), Collections.max(boot));
            }

            String id = client.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId();
            client.waitUntilRunning(id, java.time.Duration.ofMinutes(3));
            List<Double> rtt = new ArrayList<>();
            for (int i = 0; i < EXECS + 3; i++) {
                long t0 = System.nanoTime();
                client.execAndWait(id, ExecRequest.command("true"));
                if (i >= 3) rtt.add(ms(t0)); // first calls warm the JIT and connections
            }
            System.out.printf("exec round trip of `true`        %8.1f ms  (n=%d)%n", median(rtt), rtt.size());

            Path file = Files.createTempFile("ember-bench", ".bin");
            try {
                byte[] chunk = new byte[1 << 20];
                new Random(1).nextBytes(chunk);
                try (OutputStream out = Files.newOutputStream(file)) {
                    for (int i = 0; i < FILE_MIB; i++) out.write(chunk);
                }
                List<Double> up = new ArrayList<>();
                List<Double> down = new ArrayList<>();
                for (int i = 0; i < TRANSFERS; i++) {
                    long t0 = System.nanoTime();
                    client.uploadFile(id, "/workspace/bench.bin", file, 0644);
                    up.add(FILE_MIB / (ms(t0) / 1000));
                    t0 = System.nanoTime();
                    client.downloadFile(id, "/workspace/bench.bin", OutputStream.nullOutputStream());
                    down.add(FILE_MIB / (ms(t0) / 1000));
                }
                System.out.printf("file upload   (%d MiB)            %8.1f MiB/s (n=%d)%n", FILE_MIB, median(up), up.size());
                System.out.printf("file download (%d MiB)            %8.1f MiB/s (n=%d)%n", FILE_MIB, median(down), down.size());
            } finally {
                Files.deleteIfExists(file);
                client.terminateMicrovm(id);
            }
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static int intProp(String name, int def) {
        return Integer.getInteger(name, def);
    }
}
