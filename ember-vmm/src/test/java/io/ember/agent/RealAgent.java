package io.ember.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real C agent (guest/agent) in host mode: the test listens on a Unix socket, starts
 * {@code ember-agent --connect SOCKET}, and serves what connects. Stopped by its pid on close.
 */
final class RealAgent implements AutoCloseable {
    final AgentClient client;
    final Process process;
    final Path workspace;

    RealAgent(Path dir) throws IOException, InterruptedException {
        this(dir, new String[0]);
    }

    /** With {@code extraArgs} after the usual ones (e.g. {@code --metadata-port N}). */
    RealAgent(Path dir, String... extraArgs) throws IOException, InterruptedException {
        Path bin = binary();
        workspace = Files.createDirectories(dir.resolve("workspace"));
        Path sock = dir.resolve("agent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(bin.toString(), "--connect", sock.toString(),
                    "--workspace", workspace.toString()));
            cmd.addAll(java.util.List.of(extraArgs));
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
            server.configureBlocking(false);
            SocketChannel conn = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (conn == null) {
                conn = server.accept();
                if (conn != null) break;
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("ember-agent did not connect (exit " + (process.isAlive() ? "-" : process.exitValue())
                            + "): " + Files.readString(dir.resolve("agent.log")));
                }
                Thread.sleep(5);
            }
            conn.configureBlocking(true);
            client = AgentClient.over(conn, AgentLimits.defaults(), "real-agent");
        }
    }

    /** EMBER_AGENT_BIN (property or environment), else the repository's build output. */
    static Path binary() {
        String configured = System.getProperty("EMBER_AGENT_BIN", System.getenv("EMBER_AGENT_BIN"));
        Path bin = configured != null ? Path.of(configured)
                : Path.of("").toAbsolutePath().getParent().resolve("guest/agent/build/ember-agent");
        if (!Files.isExecutable(bin))
            throw new AssertionError("the ember-agent binary is missing at " + bin
                    + ": build it with `make -C guest/agent` (bin/test does this first) or set EMBER_AGENT_BIN");
        return bin;
    }

    @Override
    public void close() throws InterruptedException {
        client.close(); // the agent in host mode exits when the host hangs up, killing its children
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static Duration secs(int n) {
        return Duration.ofSeconds(n);
    }
}
