package io.ember.e2e;

import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Ember server in a process of its own (the test's classpath), so that a test can kill it, or let it halt at a
 * crash point ({@code -Dember.crash.at}), and start another on the same data directory. Its port is written to
 * {@code <dataDir>/../<dataDir name>.port} once it listens; its output goes to {@code .log} next to it.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    final Path dataDir;
    final int port;

    private ServerProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts a server on {@code dataDir}, halting at {@code crashAt} (null: never); returns once it listens. */
    static ServerProcess start(Path dataDir, String crashAt) throws IOException, InterruptedException {
        Path portFile = dataDir.resolveSibling(dataDir.getFileName() + ".port");
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Files.deleteIfExists(portFile);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (crashAt != null) cmd.add("-Dember.crash.at=" + crashAt);
        cmd.addAll(List.of(ServerProcess.class.getName(), dataDir.toString(), EmberTestServer.assetsDir().toString(),
                portFile.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(portFile)) {
            if (!p.isAlive()) throw new IllegalStateException("the server process ended (" + p.exitValue() + "): " + Files.readString(log));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("the server process did not start in 60 s: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new ServerProcess(p, dataDir, Integer.parseInt(Files.readString(portFile).trim()));
    }

    /** Waits for the process to end by itself (a crash point); its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the server process is still running after " + timeout);
        }
        return process.exitValue();
    }

    /** Kills it (SIGKILL) if it still runs; its VMs go on, as after any crash. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** The child's side: args are the data directory, the assets directory and the port file. */
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        EmberServer server = EmberServer.start(new ServerConfig("127.0.0.1", 0, dataDir, Path.of(args[1]),
                EmberTestServer.accelerator(), "qemu-system-x86_64", 16));
        Path portFile = Path.of(args[2]);
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.port()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join(); // until killed
    }
}
