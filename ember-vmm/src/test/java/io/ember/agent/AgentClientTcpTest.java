package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** connectTcp against the real C agent in host mode, which connects to an echo server this test runs on 127.0.0.1. */
class AgentClientTcpTest {
    @TempDir
    Path dir;
    RealAgent agent;
    GuestAgent client;
    ServerSocket server;
    final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        agent = new RealAgent(dir);
        client = agent.client;
        assertThat(client.hello(Duration.ofSeconds(5))).isNotNull();
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread.ofVirtual().start(() -> echo(s));
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
            s.shutdownOutput();
        } catch (IOException ignored) {
            // peer went away
        }
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        for (Socket s : accepted) s.close();
        agent.close();
    }

    @Test
    void echoWithHalfClose() throws Exception {
        try (GuestSocket s = client.connectTcp(server.getLocalPort(), Duration.ofSeconds(5))) {
            s.output().write("ping\n".getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[5];
            int n = 0;
            while (n < 5) n += s.input().read(buf, n, 5 - n);
            assertThat(new String(buf, StandardCharsets.UTF_8)).isEqualTo("ping\n");
            s.output().write("tail".getBytes(StandardCharsets.UTF_8));
            s.output().close(); // half-close: the echo server sees EOF and closes its side
            assertThat(new String(s.input().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("tail");
            assertThat(s.input().read()).isEqualTo(-1);
        }
    }

    @Test
    void eightMiBBothWaysAtOnce() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(7).nextBytes(data);
        try (GuestSocket s = client.connectTcp(server.getLocalPort(), Duration.ofSeconds(5))) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (OutputStream out = s.output()) {
                    for (int off = 0; off < data.length; off += 100_000)
                        out.write(data, off, Math.min(100_000, data.length - off));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] got = s.input().readAllBytes();
            writer.get(30, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(data);
        }
    }

    @Test
    void refusedPortAndBadArguments() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        assertThatThrownBy(() -> client.connectTcp(free, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.errno()).isEqualTo(111); // ECONNREFUSED
                    assertThat(e.channelBroken()).isFalse();
                });
        assertThatThrownBy(() -> client.connectTcp(0, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> client.connectTcp(80, Duration.ofMinutes(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThat(client.hello(Duration.ofSeconds(5))).isNotNull(); // the channel is fine
    }

    @Test
    void manyConcurrentConnectionsAndCancel() throws Exception {
        List<GuestSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 64; i++) sockets.add(client.connectTcp(server.getLocalPort(), Duration.ofSeconds(5)));
        for (int i = 0; i < sockets.size(); i++) sockets.get(i).output().write(("n" + i).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < sockets.size(); i++) {
            byte[] want = ("n" + i).getBytes(StandardCharsets.UTF_8);
            var got = new ByteArrayOutputStream();
            byte[] buf = new byte[16];
            while (got.size() < want.length) got.write(buf, 0, sockets.get(i).input().read(buf));
            assertThat(got.toByteArray()).isEqualTo(want);
        }
        for (GuestSocket s : sockets) s.close(); // CANCEL: the agent closes its sockets, the server sees EOF
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (accepted.stream().anyMatch(s -> !s.isClosed()) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(accepted).hasSize(64).allMatch(Socket::isClosed);
        assertThatThrownBy(() -> sockets.get(0).input().read()).isInstanceOf(IOException.class);
        assertThat(client.hello(Duration.ofSeconds(5))).isNotNull();
    }
}
