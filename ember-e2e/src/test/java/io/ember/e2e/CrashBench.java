package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reliability part 2 (bench/reliability crash): failures in the middle of suspends and resumes, through the API of a
 * real server process, each followed by a wait for the state to settle and a count of where the microVM ended
 * ({@link CrashOutcome}). Three kinds, one row each:
 * <ul>
 *   <li>server: {@code kill -9} of the server a random delay after a SuspendMicrovm or ResumeMicrovm was sent, then a
 *   new server on the same data directory;</li>
 *   <li>qemu: {@code kill -9} of the VMM (the jailer's only child) a random delay after a SuspendMicrovm was sent;</li>
 *   <li>disk: the data directory on a tmpfs the harness mounts, filled up to a random free space below the guest's
 *   snapshot size just before a SuspendMicrovm, freed after it.</li>
 * </ul>
 * The random delay is uniform between 0 and 1.2 times the operation's duration measured on the same microVM first.
 * Knobs: -Dbench.crashes (100 per kind; short run 6), -Dbench.kinds=server,qemu,disk, -Dbench.settleSeconds (120),
 * -Dbench.tmpfsMiB (1024), -Dbench.seed.
 */
public final class CrashBench {
    private static final int CRASHES = Figures.knob("bench.crashes", 100, 6);
    private static final String KINDS = System.getProperty("bench.kinds", "server,qemu,disk");
    private static final long SETTLE_MS = Integer.getInteger("bench.settleSeconds", 120) * 1000L;
    private static final int TMPFS_MIB = Integer.getInteger("bench.tmpfsMiB", 1024);
    private static final int FILE_BYTES = 64 * 1024;

    private final BenchServer server;
    private final Random random;
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "crash-call");
        t.setDaemon(true);
        return t;
    });
    private GuestProbe probe;
    private double suspendMs, resumeMs;
    private long snapshotBytes;

    private CrashBench(BenchServer server, Random random) {
        this.server = server;
        this.random = random;
    }

    public static void main(String[] args) throws Exception {
        Random random = new Random(Long.getLong("bench.seed", 7));
        List<String> rows = new ArrayList<>();
        for (String kind : KINDS.split(",")) {
            Path work = Figures.workDir("ember-crash-");
            Path data = work.resolve("data");
            boolean tmpfs = kind.equals("disk");
            try {
                if (tmpfs) mountTmpfs(work.resolve("fs"));
                if (tmpfs) data = work.resolve("fs/data");
                try (BenchServer server = BenchServer.start(work, data)) {
                    rows.add(new CrashBench(server, random).run(kind));
                }
            } finally {
                if (tmpfs) umount(work.resolve("fs"));
                EmberTestServer.deleteTree(work);
            }
        }
        System.out.printf("%nCrashes in the middle of suspends and resumes (busybox, accelerator %s, settle up to %d s)%n",
                EmberTestServer.accelerator(), SETTLE_MS / 1000);
        System.out.println("| failure | trials | RUNNING, intact | SUSPENDED, resumed intact | TERMINATED with a reason | anything else |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private String run(String kind) throws IOException {
        launch();
        measure();
        System.out.printf("%s: suspend takes %.0f ms, resume %.0f ms, vmstate %d MiB on this machine; %d trials%n", kind,
                suspendMs, resumeMs, snapshotBytes >> 20, CRASHES);
        CrashOutcome outcomes = new CrashOutcome();
        for (int i = 0; i < CRASHES; i++) {
            String what;
            try {
                if (probe == null) launch();
                probe.writeFresh();
                what = switch (kind) {
                    case "server" -> killServer(i % 2 == 1);
                    case "qemu" -> killQemu();
                    case "disk" -> fillDisk();
                    default -> throw new IllegalArgumentException("unknown kind " + kind + " (server, qemu, disk)");
                };
            } catch (RuntimeException e) {
                what = "setup failed: " + CrashOutcome.shorten(e.toString());
                probe = null;
                System.out.printf("  trial %d: %s%n", i, what);
                continue;
            }
            String outcome = outcomes.classify(server.client(), probe, SETTLE_MS);
            System.out.printf("  trial %d: %s -> %s%n", i, what, outcome);
            if (!outcome.equals(CrashOutcome.RUNNING) && !outcome.equals(CrashOutcome.SUSPENDED)) retire();
        }
        outcomes.counts.forEach((k, v) -> { if (!CrashOutcome.good(k)) System.out.printf("  other: %d x %s%n", v, k); });
        outcomes.reasons.forEach((k, v) -> System.out.printf("  terminated: %d x %s%n", v, k));
        var c = outcomes.counts;
        return "| %s | %d | %d | %d | %d | %d |".formatted(switch (kind) {
            case "server" -> "kill -9 of the server mid-suspend/resume, restart";
            case "qemu" -> "kill -9 of QEMU mid-save";
            default -> "data directory full mid-save (tmpfs " + TMPFS_MIB + " MiB)";
        }, outcomes.total(), c.get(CrashOutcome.RUNNING), c.get(CrashOutcome.SUSPENDED), c.get(CrashOutcome.TERMINATED), outcomes.other());
    }

    /** Sends a suspend (or, after a clean suspend, a resume), and kills the server a random delay later; restarts it. */
    private String killServer(boolean duringResume) throws IOException {
        EmberClient client = server.client();
        if (duringResume) client.suspendMicrovm(probe.id());
        long delay = delay(duringResume ? resumeMs : suspendMs);
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            if (duringResume) client.resumeMicrovm(probe.id());
            else client.suspendMicrovm(probe.id());
        }, calls);
        BenchServer.sleep(delay);
        server.kill9();
        call.handle((v, e) -> null).orTimeout(30, TimeUnit.SECONDS).join();
        // What the dead server left on disk: a whole snapshot (manifest and RAM) can still be resumed, whatever the state.
        Path dir = server.vmDir(probe.id());
        boolean whole = Files.exists(dir.resolve("snapshot.json")) && Files.exists(dir.resolve("vmstate"));
        server.restart();
        return "kill -9 server " + delay + " ms into " + (duringResume ? "resume" : "suspend")
                + (whole ? " (a whole snapshot on disk)" : "");
    }

    /** Sends a suspend and kills the VMM a random delay later. */
    private String killQemu() {
        Optional<ProcessHandle> qemu = server.qemuOf(probe.id());
        if (qemu.isEmpty()) throw new IllegalStateException("no QEMU process for " + probe.id());
        long delay = delay(suspendMs);
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> server.client().suspendMicrovm(probe.id()), calls);
        BenchServer.sleep(delay);
        boolean killed = qemu.get().isAlive() && qemu.get().destroyForcibly();
        String answer = answer(call);
        return "kill -9 QEMU " + delay + " ms into suspend" + (killed ? "" : " (already gone)") + "; suspend said " + answer;
    }

    /** Leaves a random free space around the snapshot's size on the data directory's file system, suspends, frees it. */
    private String fillDisk() {
        Path fs = server.dataDir().getParent();
        Path filler = fs.resolve("filler");
        try {
            long free = Files.getFileStore(fs).getUsableSpace();
            long leave = (long) (random.nextDouble() * 1.2 * snapshotBytes);
            long fill = Math.max(0, free - leave);
            run("fallocate", "-l", Long.toString(fill), filler.toString());
            String answer = answer(CompletableFuture.runAsync(() -> server.client().suspendMicrovm(probe.id()), calls));
            return "suspend with " + (Files.getFileStore(fs).getUsableSpace() >> 20) + " MiB left after it (" + (leave >> 20)
                    + " MiB before); suspend said " + answer;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(filler);
            } catch (IOException ignored) {
                // Unmounted with the rest.
            }
        }
    }

    private static String answer(CompletableFuture<Void> call) {
        try {
            call.get(5, TimeUnit.MINUTES);
            return "OK";
        } catch (Exception e) {
            return CrashOutcome.shorten(e.getCause() == null ? e.toString() : e.getCause().getClass().getSimpleName()
                    + ": " + e.getCause().getMessage());
        }
    }

    private long delay(double opMs) {
        return (long) (random.nextDouble() * 1.2 * opMs);
    }

    /** Median of three clean suspend/resume cycles of the probe: the window the random delays fall into. */
    private void measure() {
        List<Double> s = new ArrayList<>(), r = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            server.client().suspendMicrovm(probe.id());
            s.add(Figures.ms(t0));
            try {
                snapshotBytes = Files.size(server.vmDir(probe.id()).resolve("vmstate"));
            } catch (IOException e) {
                throw new IllegalStateException("a suspended microVM without vmstate", e);
            }
            t0 = System.nanoTime();
            server.client().resumeMicrovm(probe.id());
            r.add(Figures.ms(t0));
        }
        suspendMs = Figures.median(s);
        resumeMs = Figures.median(r);
    }

    private void launch() {
        EmberClient client = server.client();
        String id = client.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId();
        client.waitUntilRunning(id, Duration.ofMinutes(3));
        probe = new GuestProbe(server::client, id, random, FILE_BYTES);
        probe.startCounter();
    }

    /** A microVM that did not come back whole is terminated; the next trial launches a new one. */
    private void retire() {
        try {
            if (server.client().getMicrovm(probe.id()).state() != MicrovmState.TERMINATED) server.client().terminateMicrovm(probe.id());
        } catch (RuntimeException e) {
            // Its VMM is swept with the server at the end; that it could not be terminated is a finding of its own.
            System.out.printf("    TerminateMicrovm refused: %s%n", CrashOutcome.shorten(e.toString()));
        }
        probe = null;
    }

    private static void mountTmpfs(Path dir) throws IOException {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_MIB + "m,mode=0700", "ember-crash", dir.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> umount(dir)));
    }

    private static void umount(Path dir) {
        try {
            if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ")) run("umount", "-l", dir.toString());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not unmount " + dir + ": " + e);
        }
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(String.join(" ", cmd), e);
        }
    }
}
