package io.ember.e2e;

import io.ember.sdk.AuthToken;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.PortSpecification;
import io.ember.sdk.RunMicrovmRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reliability part 4 (bench/reliability soak): S sessions for M minutes against one real server process, each a loop
 * of random operations (exec, upload and download, a request through the endpoint to busybox httpd in the guest,
 * suspend and resume, terminate and a new microVM). At the end, with every microVM terminated: what the server kept
 * (file descriptors and threads against a baseline taken after a warm-up), processes left under the data directory,
 * cgroups of the run's microVMs, and what is left in {@code vms/}. Figures only.
 * Knobs: -Dbench.sessions (20; short run 5), -Dbench.minutes (30; short run 3), -Dbench.idleSeconds (70: the second
 * look at descriptors and threads, after pools had time to shrink), -Dbench.seed.
 */
public final class SoakBench {
    private static final int SESSIONS = Figures.knob("bench.sessions", 20, 5);
    private static final int MINUTES = Figures.knob("bench.minutes", 30, 3);
    private static final int IDLE_SECONDS = Integer.getInteger("bench.idleSeconds", 70);
    private static final String[] OPS = {"exec", "exec", "exec", "exec", "upload+download", "upload+download", "upload+download",
            "endpoint GET", "endpoint GET", "suspend+resume", "terminate+run"};

    private final BenchServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, List<Double>> latencies = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, String> firstErrors = new ConcurrentHashMap<>();
    private final Set<String> launched = ConcurrentHashMap.newKeySet();
    private volatile boolean endpointWorks = true;

    private SoakBench(BenchServer server) {
        this.server = server;
    }

    public static void main(String[] args) throws Exception {
        Path work = Figures.workDir("ember-soak-");
        try (BenchServer server = BenchServer.start(work)) {
            new SoakBench(server).run();
        }
    }

    private void run() throws Exception {
        EmberClient client = server.client();
        // Warm-up: every operation once (JIT, pools, the endpoint listener), then a baseline of what the server holds.
        Session warm = new Session(new Random(1));
        for (String op : new LinkedHashSet<>(List.of(OPS))) warm.step(op);
        warm.end();
        BenchServer.sleep(5000);
        long fd0 = count("/proc/" + server.pid() + "/fd"), threads0 = count("/proc/" + server.pid() + "/task");
        Map<String, Integer> names0 = threadNames(server.pid());
        latencies.clear();
        failures.clear();
        System.out.printf("soak: %d sessions for %d min; server baseline %d fds, %d threads%n", SESSIONS, MINUTES, fd0, threads0);

        long deadline = System.nanoTime() + MINUTES * 60_000_000_000L;
        Random seeds = new Random(Long.getLong("bench.seed", 3));
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            Random random = new Random(seeds.nextLong());
            workers.add(Thread.ofPlatform().name("soak-" + i).start(() -> {
                Session s = null;
                while (System.nanoTime() < deadline) {
                    try {
                        if (s == null) s = new Session(random);
                        s.step(OPS[random.nextInt(OPS.length)]);
                    } catch (RuntimeException e) {
                        failed("run (session setup)", e);
                        s = null;
                        BenchServer.sleep(1000);
                    }
                }
                if (s != null) s.end();
            }));
        }
        for (Thread w : workers) w.join();

        client.listAllMicrovms(ListMicrovmsRequest.all()).filter(m -> m.state() != MicrovmState.TERMINATED)
                .forEach(m -> client.terminateMicrovm(m.microvmId()));
        BenchServer.sleep(10_000); // terminations finish, the jailers' cgroups go
        long fd1 = count("/proc/" + server.pid() + "/fd"), threads1 = count("/proc/" + server.pid() + "/task");
        Map<String, Integer> names1 = threadNames(server.pid());
        // Pools (Jetty's, the JDK's) shrink after an idle minute: a second look tells a leak from a pool still warm.
        BenchServer.sleep(IDLE_SECONDS * 1000L);
        long fd2 = count("/proc/" + server.pid() + "/fd"), threads2 = count("/proc/" + server.pid() + "/task");
        Map<String, Integer> names2 = threadNames(server.pid());
        long procs = server.leftoverProcesses().size();
        long cgroups = launched.stream().mapToLong(SoakBench::cgroupsOf).sum();
        long[] vms = leftIn(server.dataDir().resolve("vms"));

        System.out.printf("%nSoak: %d sessions x %d min, busybox (accelerator %s); endpoint requests %s%n", SESSIONS, MINUTES,
                EmberTestServer.accelerator(), endpointWorks ? "to busybox httpd in the guest" : "SKIPPED (no httpd in the guest)");
        System.out.println("| operation | count | failed | p50 | p99 |");
        System.out.println("|---|---:|---:|---:|---:|");
        new TreeMap<>(latencies).forEach((op, l) -> System.out.printf("| %s | %d | %d | %.0f ms | %.0f ms |%n", op, l.size(),
                failures.getOrDefault(op, 0), Figures.median(l), Figures.percentile(l, 99)));
        failures.forEach((op, n) -> { if (!latencies.containsKey(op)) System.out.printf("| %s | 0 | %d | | |%n", op, n); });
        System.out.printf("%n| after the soak, every microVM terminated | left |%n|---|---:|%n");
        System.out.printf("| server file descriptors (baseline %d after warm-up), 10 s after | %+d |%n", fd0, fd1 - fd0);
        System.out.printf("| server file descriptors, %d s later | %+d |%n", IDLE_SECONDS, fd2 - fd0);
        System.out.printf("| server threads (baseline %d), 10 s after | %+d |%n", threads0, threads1 - threads0);
        System.out.printf("| server threads, %d s later | %+d |%n", IDLE_SECONDS, threads2 - threads0);
        System.out.printf("| processes under the data directory (QEMU, jailer) | %d |%n", procs);
        System.out.printf("| cgroups of the run's %d microVMs under /sys/fs/cgroup/*/ember*/ | %d |%n", launched.size(), cgroups);
        System.out.printf("| entries in vms/ | %d |%n| bytes of files in vms/ | %d |%n", vms[0], vms[1]);
        System.out.printf("  threads by name, baseline -> 10 s after -> %d s later: %s%n", IDLE_SECONDS, changed(names0, names1, names2));
        firstErrors.forEach((op, e) -> System.out.printf("  first %s failure: %s%n", op, e));
    }

    /** One user: a microVM, its httpd and token, and the operations it goes through. */
    private final class Session {
        private final Random random;
        private String id;
        private String token;
        private String endpoint;

        Session(Random random) {
            this.random = random;
            start();
        }

        private void start() {
            EmberClient c = server.client();
            long t0 = System.nanoTime();
            id = c.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId();
            launched.add(id);
            endpoint = c.waitUntilRunning(id, Duration.ofMinutes(5)).endpoint();
            record("run to RUNNING", t0);
            c.uploadFile(id, "/workspace/index.html", new ByteArrayInputStream(id.getBytes()), 0644);
            ExecResult httpd = c.execAndWait(id, ExecRequest.shell("command -v httpd >/dev/null || exit 3;"
                    + " setsid httpd -f -p 127.0.0.1:8080 -h /workspace </dev/null >/dev/null 2>&1 & sleep 0.5; echo ok"));
            if (httpd.exitCode() == 3) endpointWorks = false;
            if (endpointWorks) token = c.createMicrovmAuthToken(id, 60, List.of(PortSpecification.port(8080))).value();
        }

        void step(String op) {
            EmberClient c = server.client();
            long t0 = System.nanoTime();
            try {
                switch (op) {
                    case "exec" -> {
                        ExecResult r = c.execAndWait(id, ExecRequest.shell("echo $((6 * 7))"));
                        if (!r.stdoutText().equals("42\n")) throw new IllegalStateException("exec said " + r);
                    }
                    case "upload+download" -> {
                        byte[] bytes = new byte[64 * 1024];
                        random.nextBytes(bytes);
                        c.uploadFile(id, "/workspace/soak.bin", new ByteArrayInputStream(bytes), 0644);
                        ByteArrayOutputStream back = new ByteArrayOutputStream();
                        c.downloadFile(id, "/workspace/soak.bin", back);
                        if (!Arrays.equals(bytes, back.toByteArray())) throw new IllegalStateException("download differs from upload");
                    }
                    case "endpoint GET" -> {
                        if (!endpointWorks) return;
                        var req = HttpRequest.newBuilder(URI.create(endpoint + "/index.html")).header(AuthToken.HEADER, token)
                                .timeout(Duration.ofSeconds(60)).build();
                        var resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() != 200 || !resp.body().equals(id))
                            throw new IllegalStateException("endpoint answered " + resp.statusCode() + ": " + resp.body());
                    }
                    case "suspend+resume" -> {
                        c.suspendMicrovm(id);
                        c.resumeMicrovm(id);
                    }
                    case "terminate+run" -> {
                        end();
                        start();
                        return; // "run to RUNNING" recorded its own time
                    }
                    default -> throw new IllegalArgumentException(op);
                }
                record(op, t0);
            } catch (IOException e) {
                failed(op, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed(op, e);
            } catch (RuntimeException e) {
                failed(op, e);
                if (c.getMicrovm(id).state() == MicrovmState.TERMINATED) start(); // go on with a new microVM
            }
        }

        void end() {
            server.client().terminateMicrovm(id);
        }
    }

    private void record(String op, long t0) {
        latencies.computeIfAbsent(op, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(Figures.ms(t0));
    }

    private void failed(String op, Exception e) {
        failures.merge(op, 1, Integer::sum);
        firstErrors.putIfAbsent(op, CrashOutcome.shorten(e.toString()));
    }

    /** The server's threads counted by name ({@code /proc/<pid>/task/<tid>/comm}, digits dropped: pool members count together). */
    private static Map<String, Integer> threadNames(long pid) throws IOException {
        Map<String, Integer> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    names.merge(Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#"), 1, Integer::sum);
                } catch (IOException gone) {
                    // The thread ended meanwhile.
                }
            }
        }
        return names;
    }

    private static String changed(Map<String, Integer> a, Map<String, Integer> b, Map<String, Integer> c) {
        TreeMap<String, String> out = new TreeMap<>();
        for (String n : Stream.of(a, b, c).flatMap(m -> m.keySet().stream()).toList()) {
            int x = a.getOrDefault(n, 0), y = b.getOrDefault(n, 0), z = c.getOrDefault(n, 0);
            if (x != y || x != z) out.put(n, x + " -> " + y + " -> " + z);
        }
        return out.isEmpty() ? "no change" : out.toString();
    }

    private static long count(String dir) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count();
        }
    }

    /** The microVM's cgroup directories left under any controller's {@code ember*} group (v1 or v2). */
    private static long cgroupsOf(String id) {
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            return roots.flatMap(root -> Stream.concat(Stream.of(root), children(root)))
                    .flatMap(SoakBench::children)
                    .filter(g -> g.getParent().getFileName().toString().startsWith("ember") && g.getFileName().toString().equals(id))
                    .count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static Stream<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) return Stream.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    /** {entries, bytes of regular files} under {@code dir}, the directory itself not counted. */
    private static long[] leftIn(Path dir) throws IOException {
        if (!Files.exists(dir)) return new long[] {0, 0};
        try (Stream<Path> walk = Files.walk(dir)) {
            long[] r = {0, 0};
            walk.filter(p -> !p.equals(dir)).forEach(p -> {
                r[0]++;
                if (Files.isRegularFile(p)) r[1] += p.toFile().length();
            });
            return r;
        }
    }
}
