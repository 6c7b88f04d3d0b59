package io.ember.e2e;

import io.ember.sdk.CredentialsChain;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.MicrovmState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Ember server as an operator runs it: {@code java io.ember.cli.Main server} in its own process (as root, so
 * every VMM is jailed), on a data directory that survives {@link #kill9()} and {@link #restart()}. The reliability
 * benchmarks crash it, so unlike {@link EmberTestServer} it cannot live in the benchmark's JVM. {@link #close()}
 * terminates the microVMs, stops the server by its pid and kills by pid whatever VMM is left under the data directory.
 */
final class BenchServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path work;
    private final Path dataDir;
    private final Path assetsDir;
    private final List<String> extraArgs;
    private Process process;
    private EmberClient client;
    private int port;
    private int endpointPort;
    private int starts;
    private boolean closed;

    private BenchServer(Path work, Path dataDir, Path assetsDir, List<String> extraArgs) {
        this.work = work;
        this.dataDir = dataDir;
        this.assetsDir = assetsDir;
        this.extraArgs = extraArgs;
    }

    /**
     * Starts a server on {@code dataDir} with its own copy of the guest assets in {@code work} (see {@link #privateAssets}),
     * writing its output to {@code work/server-N.log}. Closing it (or the JVM's shutdown) stops everything and deletes
     * {@code work}.
     */
    static BenchServer start(Path work, Path dataDir, String... extraArgs) throws IOException {
        Path assets = Boolean.getBoolean("bench.sharedAssets") ? EmberTestServer.assetsDir() : privateAssets(work.resolve("assets"));
        BenchServer s = new BenchServer(work, dataDir, assets, List.of(extraArgs));
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "server-process-cleanup"));
        s.launch();
        return s;
    }

    static BenchServer start(Path work, String... extraArgs) throws IOException {
        return start(work, work.resolve("data"), extraArgs);
    }

    /**
     * A copy of the shared guest assets (kernel, initramfs, agent, jailer, the busybox image; {@code -Dbench.images}
     * for more) for this server alone. A server whose data directory shares a file system with its assets pins a managed
     * image's disk as a hard link, and then changes that inode's mode and group (open finding in docs/reliability.md):
     * on the shared assets that breaks every other server on the host, the other benchmarks' and the engineers' tests.
     * {@code -Dbench.sharedAssets=true} uses the shared directory as it is, to show the finding.
     */
    private static Path privateAssets(Path copy) throws IOException {
        Path shared = EmberTestServer.assetsDir();
        Files.createDirectories(copy.resolve("images"));
        List<String> cmd = new ArrayList<>(List.of("cp", "-a", "--sparse=always"));
        for (String f : List.of("kernel", "initramfs.cpio.gz", "agent", "bin")) cmd.add(shared.resolve(f).toString());
        cmd.add(copy + "/");
        run(cmd);
        for (String image : System.getProperty("bench.images", "busybox").split(",")) {
            run(List.of("cp", "-a", "--sparse=always", shared.resolve("images").resolve(image).toString(), copy.resolve("images") + "/"));
            // The copy as setup made it: public, read-only (the shared one may carry another server's group by now).
            run(List.of("chown", "-R", "root:root", copy.resolve("images").resolve(image).toString()));
            run(List.of("chmod", "0444", copy.resolve("images").resolve(image).resolve("rootfs.ext4").toString()));
        }
        return copy;
    }

    private static void run(List<String> cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void launch() throws IOException {
        port = freePort();
        endpointPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.ember.cli.Main", "server",
                "--data-dir", dataDir.toString(), "--port", "" + port, "--endpoint-port", "" + endpointPort,
                "--accel", EmberTestServer.accelerator().name().toLowerCase()));
        cmd.addAll(extraArgs);
        if (!extraArgs.contains("--network")) cmd.addAll(List.of("--network", "off")); // benchmarks of other things
        // The benchmarks speak plain HTTP to endpoints (TLS is measured on its own, where it is the point).
        if (!extraArgs.contains("--endpoint-tls") && !extraArgs.contains("--tls-keystore")) {
            cmd.addAll(List.of("--endpoint-tls", "off"));
        }
        Path log = work.resolve("server-" + (++starts) + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("EMBER_ASSETS_DIR", assetsDir.toString());
        process = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(log) || !Files.readString(log).contains("listening on")) {
            if (!process.isAlive()) throw new IllegalStateException("server exited " + process.exitValue() + ": " + Files.readString(log));
            if (System.nanoTime() > deadline) throw new IllegalStateException("server not listening after " + START_TIMEOUT + ": " + log);
            sleep(100);
        }
        // The admin key, as the server wrote it at its first start: the operator's only way in.
        var admin = CredentialsChain.of(Map.of("HOME", dataDir.toString(), "EMBER_DATA_DIR", dataDir.toString()))
                .withProfile(CredentialsChain.ADMIN_PROFILE).resolve();
        if (client != null) client.close();
        client = EmberClient.builder().endpoint("http://127.0.0.1:" + port).credentials(admin).build();
    }

    EmberClient client() {
        return client;
    }

    long pid() {
        return process.pid();
    }

    int endpointPort() {
        return endpointPort;
    }

    Path dataDir() {
        return dataDir;
    }

    Path vmDir(String id) {
        return dataDir.resolve("vms").resolve(id);
    }

    /** SIGKILL to the server (never to its VMMs), then waits until it is gone. */
    void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new server process on the same data directory (new ports: the old ones may still be in TIME_WAIT). */
    void restart() throws IOException {
        if (process.isAlive()) kill9();
        launch();
    }

    /** The QEMU process of a microVM: the only child of the jailer whose pid the server keeps in {@code qemu.pid}. */
    Optional<ProcessHandle> qemuOf(String id) {
        try {
            long jailer = Long.parseLong(Files.readString(vmDir(id).resolve("qemu.pid")).trim());
            return ProcessHandle.of(jailer).flatMap(j -> j.children().findFirst());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Processes other than the server whose command line names something under its work directory: QEMU (its disk,
     * sockets) and the jailer (its own path in the private assets, the VM's directory).
     */
    List<ProcessHandle> leftoverProcesses() {
        String needle = work + "/";
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && (process == null || p.pid() != process.pid()))
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .toList();
    }

    /** Terminates the microVMs, stops the server, kills what is left by pid, deletes the work directory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (process != null && process.isAlive()) {
                client.listAllMicrovms(ListMicrovmsRequest.all())
                        .filter(m -> m.state() != MicrovmState.TERMINATED)
                        .forEach(m -> {
                            try {
                                client.terminateMicrovm(m.microvmId());
                            } catch (RuntimeException ignored) {
                                // Best effort: the pid sweep below ends what the API could not.
                            }
                        });
            }
        } catch (RuntimeException ignored) {
            // A server that does not answer is stopped below all the same.
        } finally {
            killEverything();
            try {
                EmberTestServer.deleteTree(work);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not delete " + work + ": " + e);
            }
        }
    }

    /** SIGTERM to the server (SIGKILL after 30 s), then SIGKILL by pid to every leftover VMM process. */
    private void killEverything() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) kill9();
            } catch (InterruptedException e) {
                kill9();
            }
        }
        for (ProcessHandle p : leftoverProcesses()) {
            p.destroyForcibly();
            p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
        }
        if (client != null) client.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
