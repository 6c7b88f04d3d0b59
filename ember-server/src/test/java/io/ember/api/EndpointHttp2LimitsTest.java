package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an HTTP/2 client can make the endpoint hold is bounded: streams at once, header blocks, CONTINUATION floods. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndpointHttp2LimitsTest {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;
    String id;
    String token;
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        api = new ApiFixture(dir);
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        app.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        app.createContext("/", ex -> {
            served.incrementAndGet();
            if (ex.getRequestURI().getPath().equals("/hold")) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] out = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.start();
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
    }

    @AfterEach
    void stop() {
        release.countDown();
        app.stop(0);
        api.close();
    }

    List<String> get(String path) {
        return List.of(":method", "GET", ":scheme", "http", ":authority", "127.0.0.1", ":path", "/" + id + path,
                "x-aws-proxy-auth", token);
    }

    @Test
    void streamsPastTheLimitAreRefusedAndTheOthersAreServed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(30_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            for (int i = 0; i < 100; i++) wire.headers(1 + 2 * i, get("/hold"), true);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (served.get() < 100 && System.nanoTime() < until) Thread.sleep(20);
            assertThat(served.get()).isEqualTo(100);
            wire.headers(201, get("/hold"), true);
            H2Wire.Answer refused = wire.answer(201);
            assertThat(refused.resetError()).as("REFUSED_STREAM").isEqualTo(7);
            release.countDown();
            for (int i = 0; i < 100; i++) assertThat(wire.answer(1 + 2 * i).status()).isEqualTo(200);
            wire.headers(203, get("/again"), true);
            assertThat(wire.answer(203).status()).isEqualTo(200);
        }
    }

    @Test
    void anOversizedHeaderBlockOrAContinuationFloodEndsTheConnectionAndReachesNoGuest() throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            try {
                // One literal field of 70,000 bytes (over the 64 KiB header list), split over HEADERS + CONTINUATION.
                java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
                block.write(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x00, 0x05});
                block.write("x-big".getBytes(StandardCharsets.US_ASCII));
                block.write(0x7f);
                for (int rest = 70_000 - 127; ; rest >>>= 7) {
                    if (rest < 0x80) {
                        block.write(rest);
                        break;
                    }
                    block.write((rest & 0x7f) | 0x80);
                }
                block.write("a".repeat(70_000).getBytes(StandardCharsets.US_ASCII));
                byte[] all = block.toByteArray();
                OutputStream o = s.getOutputStream();
                for (int off = 0; off < all.length; off += 16_000) {
                    int len = Math.min(16_000, all.length - off);
                    boolean last = off + len == all.length;
                    o.write(frame(off == 0 ? 1 : 9, (last ? 0x4 : 0) | (off == 0 ? 0x1 : 0), 1,
                            java.util.Arrays.copyOfRange(all, off, off + len)));
                }
                o.flush();
                wire.answer(1);
            } catch (IOException ended) {
                // the connection may close while we still write or read: what we want
            }
            assertThat(wire.frames).anyMatch(f -> f instanceof GoAwayFrame || f instanceof ResetFrame);
        }
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            OutputStream o = s.getOutputStream();
            boolean cut = false;
            try {
                o.write(frame(1, 0, 1, new byte[] {(byte) 0x82})); // HEADERS, no END_HEADERS: ":method GET"
                byte[] piece = new byte[16_000];
                java.util.Arrays.fill(piece, (byte) 0x82);
                for (int i = 0; i < 64; i++) o.write(frame(9, 0, 1, piece)); // ~1 MB of CONTINUATION
                o.flush();
                wire.answer(1);
            } catch (IOException e) {
                cut = true;
            }
            assertThat(cut || wire.frames.stream().anyMatch(f -> f instanceof GoAwayFrame)).isTrue();
        }
        assertThat(served.get()).isZero();
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            wire.headers(1, get("/fine"), true);
            assertThat(wire.answer(1).status()).as("the listener is unharmed").isEqualTo(200);
        }
    }

    @Test
    void aRefusalBeforeTheBodyEndsTellsTheClientToStopSending() throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            wire.headers(1, List.of(":method", "POST", ":scheme", "http", ":authority", "127.0.0.1", ":path", "/" + id + "/up"),
                    false); // no token, and a body to come
            wire.data(1, new byte[1000], false);
            assertThat(wire.answer(1).status()).isEqualTo(403);
            assertThat(wire.resetOf(1)).as("RST_STREAM NO_ERROR").isZero();
            wire.headers(3, get("/after"), true);
            assertThat(wire.answer(3).status()).isEqualTo(200);
        }
        assertThat(served.get()).isEqualTo(1);
    }

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return b.array();
    }
}
