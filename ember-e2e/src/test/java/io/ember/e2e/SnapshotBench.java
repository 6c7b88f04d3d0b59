package io.ember.e2e;

import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.Resources;
import io.ember.sdk.RunMicrovmRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Snapshot benchmark, printed as medians measured side by side in one run (bench/snapshot). Not a test.
 * 1. RunMicrovm to the first exec output, launched from the image's snapshot vs cold-booted from the same image.
 * 2. Suspend and resume latency and bytes on disk, for 256 MiB and 1 GiB guests with a process holding memory
 *    (200 MiB; 150 MiB in the 256 MiB guest, where 200 MiB does not fit).
 */
public final class SnapshotBench {
    private static final int LAUNCHES = Integer.getInteger("bench.launches", 5);
    private static final int CYCLES = Integer.getInteger("bench.cycles", 5);
    private static final String PARTS = System.getProperty("bench.parts", "launch,suspend");
    /**
     * {@code %d} MiB of random bytes (incompressible, no zero pages) held by one process until killed. A 256 MiB
     * guest has 218 MiB of RAM after the kernel, of which its image's application and the agent use ~45 MiB:
     * 200 MiB does not fit there (the OOM killer ends it), so that guest's process holds 150 MiB.
     */
    static final String HOLD = "setsid python3 -c 'import os, time\nx = bytearray(%d << 20)\n"
            + "for i in range(0, len(x), 1 << 20): x[i:i + (1 << 20)] = os.urandom(1 << 20)\n"
            + "open(\"/tmp/held\", \"w\").write(\"ok\")\ntime.sleep(1e9)' </dev/null >/tmp/held.log 2>&1 &"
            + " for i in $(seq 1 600); do test -e /tmp/held && exit 0; sleep 0.1; done; exit 1";

    public static void main(String[] args) throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            EmberClient client = server.client();
            Path tmp = Files.createTempDirectory(server.dataDir(), "bench");
            System.out.printf("Ember snapshot benchmark (accelerator setting %s, medians)%n", EmberTestServer.accelerator());
            if (PARTS.contains("launch")) {
                build(client, tmp, "bench-app", 256);
                launches(server, client);
            }
            if (!PARTS.contains("suspend")) return;
            for (int mib : new int[] {256, 1024}) {
                build(client, tmp, "bench-" + mib, mib);
                suspendResume(server, client, "bench-" + mib, mib);
            }
        }
    }

    private static void build(EmberClient client, Path tmp, String name, int mib) throws IOException {
        long t0 = System.nanoTime();
        Path zip = CodeZip.dockerfile("FROM debian\nCOPY app.py /app/\nEXPOSE 8080\nCMD [\"python3\", \"/app/app.py\"]\n")
                .file("app.py", ImageEndToEndTest.APP).write(tmp);
        var created = client.createMicrovmImage(CreateMicrovmImageRequest.of(name, "debian", client.uploadCodeArtifact(zip).codeArtifact())
                .withResources(List.of(new Resources(mib, 1))));
        var v = client.waitForImageVersion(name, created.imageVersion(), Duration.ofMinutes(20));
        if (v.state() != MicrovmImageVersionState.SUCCESSFUL) throw new IllegalStateException(name + ": " + v.stateReason());
        var build = client.listMicrovmImageBuilds(name, created.imageVersion(), null, null).items().getFirst();
        var sizes = client.getMicrovmImageBuild(name, created.imageVersion(), build.buildId()).snapshotBuild();
        System.out.printf("image %-10s (debian + python app, %4d MiB) built in %5.1f s; snapshot memory %s, disk %s%n", name, mib,
                ms(t0) / 1000, mib(sizes.memorySnapshotSizeInBytes()), mib(sizes.diskSnapshotSizeInBytes()));
    }

    /** RunMicrovm → first exec output, alternating snapshot and cold launches so both see the same machine load. */
    private static void launches(EmberTestServer server, EmberClient client) throws Exception {
        List<Double> snap = new ArrayList<>(), cold = new ArrayList<>();
        for (int i = 0; i < LAUNCHES + 1; i++) {
            double s = firstOutput(server, client, false), c = firstOutput(server, client, true);
            if (i == 0) continue; // warm-up: JIT, page cache
            snap.add(s);
            cold.add(c);
        }
        double ms = CoreBench.median(snap), mc = CoreBench.median(cold);
        System.out.printf("run-microvm to first exec output, from snapshot %8.0f ms  (n=%d, min %.0f, max %.0f)%n", ms, snap.size(),
                min(snap), max(snap));
        System.out.printf("run-microvm to first exec output, cold boot     %8.0f ms  (n=%d, min %.0f, max %.0f)%n", mc, cold.size(),
                min(cold), max(cold));
        System.out.printf("  cold / snapshot = %.1fx faster from the snapshot%n", mc / ms);
    }

    private static double firstOutput(EmberTestServer server, EmberClient client, boolean cold) {
        long t0 = System.nanoTime();
        String id;
        if (cold) {
            var a = Rest.postJson(server, "/2025-09-09/microvms", "{\"imageIdentifier\":\"bench-app\"}", Map.of("X-Ember-Launch", "cold"));
            id = a.body().path("microvmId").asText();
        } else {
            id = client.runMicrovm(RunMicrovmRequest.of("bench-app")).microvmId();
        }
        try {
            ExecResult r = client.execAndWait(id, ExecRequest.shell("echo ready")); // waits while PENDING
            if (!r.stdoutText().equals("ready\n")) throw new IllegalStateException("exec said " + r.stdoutText());
            return ms(t0);
        } finally {
            client.terminateMicrovm(id);
        }
    }

    private static void suspendResume(EmberTestServer server, EmberClient client, String image, int mib) throws Exception {
        String id = client.runMicrovm(RunMicrovmRequest.of(image)).microvmId();
        try {
            int hold = mib <= 256 ? 150 : 200;
            ExecResult held = client.execAndWait(id, ExecRequest.shell(HOLD.formatted(hold)));
            if (held.exitCode() != 0) throw new IllegalStateException("the " + hold + " MiB process did not start: "
                    + client.execAndWait(id, ExecRequest.shell("cat /tmp/held.log; dmesg | tail -5; free -m")).stdoutText());
            List<Double> suspend = new ArrayList<>(), resume = new ArrayList<>(), bytes = new ArrayList<>();
            for (int i = 0; i < CYCLES; i++) {
                long t0 = System.nanoTime();
                client.suspendMicrovm(id);
                suspend.add(ms(t0));
                bytes.add((double) allocated(server.vmDir(id)));
                t0 = System.nanoTime();
                client.resumeMicrovm(id);
                resume.add(ms(t0));
                if (client.execAndWait(id, ExecRequest.shell("grep -l os.urandom /proc/[0-9]*/cmdline")).exitCode() != 0)
                    throw new IllegalStateException("the process holding memory is gone after a resume");
            }
            System.out.printf("%4d MiB guest, %d MiB process: suspend %6.0f ms, resume %6.0f ms, on disk while suspended %s  (n=%d)%n",
                    mib, hold, CoreBench.median(suspend), CoreBench.median(resume), mib((long) CoreBench.median(bytes)), CYCLES);
        } finally {
            client.terminateMicrovm(id);
        }
    }

    /** Bytes allocated on disk under a directory (sparse files count what they hold): {@code du}, as an operator sees it. */
    static long allocated(Path dir) throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes()).trim();
        if (du.waitFor() != 0) throw new IOException("du " + dir + ": " + out);
        return Long.parseLong(out.split("\\s+")[0]);
    }

    private static String mib(Long bytes) {
        return bytes == null ? "?" : String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
