package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Reliability part 1 (bench/reliability cycles): N suspend/resume cycles of one microVM through the API of a real
 * server process. Before each suspend a new file of random bytes is uploaded; after each resume its SHA-256 is read
 * back and a process's in-memory counter must have gone on. Prints counts and latencies, never asserts.
 * Knobs: -Dbench.cycles (1,000; short run 50), -Dbench.fileKiB (256), -Dbench.image (busybox), -Dbench.seed.
 */
public final class SuspendCyclesBench {
    private static final int CYCLES = Figures.knob("bench.cycles", 1000, 50);
    private static final int FILE_KIB = Integer.getInteger("bench.fileKiB", 256);
    private static final String IMAGE = System.getProperty("bench.image", "busybox");

    public static void main(String[] args) throws Exception {
        Path work = Figures.workDir("ember-rel-");
        try (BenchServer server = BenchServer.start(work)) {
            run(server);
        }
    }

    static void run(BenchServer server) {
        EmberClient client = server.client();
        Random random = new Random(Long.getLong("bench.seed", 12));
        GuestProbe probe = launch(client, random);
        List<Double> suspend = new ArrayList<>(), resume = new ArrayList<>();
        int failed = 0, fileLost = 0, counterLost = 0, relaunched = 0;
        long bytesLost = 0;
        List<String> firstFailures = new ArrayList<>();
        long t = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            try {
                probe.writeFresh();
                long t0 = System.nanoTime();
                client.suspendMicrovm(probe.id());
                suspend.add(Figures.ms(t0));
                t0 = System.nanoTime();
                client.resumeMicrovm(probe.id());
                resume.add(Figures.ms(t0));
                GuestProbe.Verdict v = probe.check();
                if (!v.fileOk()) {
                    fileLost++;
                    bytesLost += FILE_KIB * 1024L;
                }
                if (!v.counterOk()) counterLost++;
                if (!v.intact() && firstFailures.size() < 5) firstFailures.add("cycle " + i + ": " + v);
            } catch (RuntimeException e) {
                failed++;
                if (firstFailures.size() < 5) firstFailures.add("cycle " + i + ": " + e);
                MicrovmState state = client.getMicrovm(probe.id()).state();
                if (state != MicrovmState.RUNNING && state != MicrovmState.SUSPENDED) {
                    probe = launch(client, random); // the next cycles need a microVM
                    relaunched++;
                } else if (state == MicrovmState.SUSPENDED) {
                    try {
                        client.resumeMicrovm(probe.id());
                    } catch (RuntimeException ignored) {
                        // Counted already; the next cycle's failure says whether it stays broken.
                    }
                }
            }
            if ((i + 1) % 50 == 0) System.out.printf("  ... %d cycles, %d failed, %.0f s%n", i + 1, failed, Figures.ms(t) / 1000);
        }
        System.out.printf("%nSuspend/resume cycles (%s, %d KiB random file per cycle, accelerator %s)%n", IMAGE, FILE_KIB,
                EmberTestServer.accelerator());
        System.out.println("| cycles | failed | file lost | bytes lost | counter lost | microVMs relaunched | suspend p50 | suspend p99 | resume p50 | resume p99 |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf("| %d | %d | %d | %d | %d | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n", CYCLES, failed, fileLost, bytesLost,
                counterLost, relaunched, Figures.median(suspend), Figures.percentile(suspend, 99), Figures.median(resume),
                Figures.percentile(resume, 99));
        firstFailures.forEach(f -> System.out.println("  " + f));
        client.terminateMicrovm(probe.id());
    }

    private static GuestProbe launch(EmberClient client, Random random) {
        String id = client.runMicrovm(RunMicrovmRequest.of(IMAGE)).microvmId();
        client.waitUntilRunning(id, Duration.ofMinutes(3));
        GuestProbe probe = new GuestProbe(() -> client, id, random, FILE_KIB * 1024);
        probe.startCounter();
        return probe;
    }
}
