package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint listener against unauthenticated clients that only hold connections: a limit per source address, and
 * deadlines over a request head as a whole (first byte, then the head), so that a legitimate client is still served.
 */
class EndpointClientLimitsTest {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;
    final List<Socket> held = new ArrayList<>();

    void start(int total, int perSource, int firstByteMs, int headMs) throws IOException {
        api = new ApiFixture(dir, 8, c -> c.withEndpoint(c.endpoint().withConnectionLimits(total, 256)
                .withClientLimits(perSource, firstByteMs, headMs)));
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] out = "hello\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.start();
    }

    @AfterEach
    void stop() {
        for (Socket s : held) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (app != null) app.stop(0);
        if (api != null) api.close();
    }

    private String legitimateRequest() {
        String id = api.running();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        String token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
        return "GET /" + id + "/hi HTTP/1.1\r\nHost: x\r\nX-aws-proxy-auth: " + token + "\r\nConnection: close\r\n\r\n";
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket(InetAddress.getByName("127.0.0.1"), api.server.endpointPort(), InetAddress.getByName(from), 0);
        held.add(s);
        return s;
    }

    private static String answer(Socket s) throws IOException {
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException e) {
            return "reset: " + e.getMessage();
        }
    }

    @Test
    void idleConnectionsFromOneAddressLeaveTheListenerToOthers() throws Exception {
        // 64 connections in all; a silent client would hold its slot 60 s: long past the reads below.
        start(64, 16, 60_000, 60_000);
        String request = legitimateRequest();
        for (int i = 0; i < 200; i++) connect("127.0.0.1"); // silent: not even a byte
        Socket over = held.get(199);
        over.setSoTimeout(10_000);
        assertThat(answer(over)).as("past its address's limit, refused at once").satisfiesAnyOf(
                a -> assertThat(a).startsWith("HTTP/1.1 503").contains("ServiceQuotaExceededException"),
                a -> assertThat(a).isEmpty());

        Socket other = connect("127.0.0.2");
        other.setSoTimeout(10_000);
        OutputStream out = other.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertThat(answer(other)).startsWith("HTTP/1.1 200").endsWith("hello\n");
    }

    @Test
    void aSilentClientAndAClientDrippingItsHeadAreCutOff() throws Exception {
        start(64, 16, 500, 1_500);
        String request = legitimateRequest();

        Socket silent = connect("127.0.0.1");
        silent.setSoTimeout(10_000);
        assertThat(silent.getInputStream().read()).as("closed without an answer").isEqualTo(-1);

        // One byte every 100 ms: each read is well inside any per-read timeout, the head as a whole is not (4 s).
        Socket drip = connect("127.0.0.1");
        drip.setSoTimeout(10_000);
        String slow = request.replace("Host: x\r\n", "Host: x\r\nX-Padding: " + "p".repeat(40) + "\r\n");
        boolean cut = false;
        try {
            for (byte b : slow.getBytes(StandardCharsets.ISO_8859_1)) {
                drip.getOutputStream().write(b);
                drip.getOutputStream().flush();
                Thread.sleep(100);
                if (drip.getInputStream().available() > 0) break;
            }
        } catch (SocketException e) {
            cut = true; // the server closed it while the head was still coming
        }
        String got = cut ? "" : answer(drip);
        assertThat(got).as("no request was served from the dripped head").doesNotStartWith("HTTP/1.1 200");

        // A client that sends its request at once is served, from the same address.
        Socket fine = connect("127.0.0.1");
        fine.setSoTimeout(10_000);
        fine.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(answer(fine)).startsWith("HTTP/1.1 200");
    }
}
