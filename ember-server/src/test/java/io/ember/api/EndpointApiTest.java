package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint proxy over a fake guest whose "application" is an HTTP server on the host's loopback
 * (FakeAgents maps guest ports to it): routing, tokens, framing, streaming, keep-alive, upgrades and
 * refusals, without QEMU. The same paths through a real guest are in the e2e module.
 */
class EndpointApiTest {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;
    String id;
    final AtomicInteger appConnections = new AtomicInteger();
    final CountDownLatch firstChunkSeen = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        api = new ApiFixture(dir);
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String answer = ex.getRequestMethod() + " " + ex.getRequestURI() + " sha256="
                    + sha256(body) + " prefix=" + ex.getRequestHeaders().getFirst("X-Forwarded-Prefix")
                    + " auth=" + ex.getRequestHeaders().getFirst("X-aws-proxy-auth") + "\n";
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.createContext("/stream", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream o = ex.getResponseBody();
            o.write("first\n".getBytes());
            o.flush();
            try {
                firstChunkSeen.await(10, TimeUnit.SECONDS); // the client must see it before the answer ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            o.write("second\n".getBytes());
            ex.close();
        });
        app.start();
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        app.stop(0);
        api.close();
    }

    String token(String body) {
        return api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token", body).get("authToken").get("X-aws-proxy-auth").asText();
    }

    String token() {
        return token("{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080},{\"range\":{\"startPort\":9000,\"endPort\":9001}}]}");
    }

    URI endpoint(String path) {
        String base = api.ok("GET", "/2025-09-09/microvms/" + id, null).get("endpoint").asText();
        return URI.create(base + path);
    }

    HttpResponse<String> get(String path, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint(path));
        if (token != null) b.header("X-aws-proxy-auth", token);
        if (headers.length > 0) b.headers(headers);
        return api.send(b.build());
    }

    @Test
    void getMicrovmGivesAnEndpointOnItsOwnPortThatReachesTheApplication() {
        String base = api.ok("GET", "/2025-09-09/microvms/" + id, null).get("endpoint").asText();
        assertThat(base).isEqualTo("http://127.0.0.1:" + api.server.endpointPort() + "/" + id);

        HttpResponse<String> r = get("/hello/world?x=1", token());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("GET /hello/world?x=1 ").contains("prefix=/" + id).contains("auth=null");
    }

    @Test
    void requestsWithoutAValidTokenForThisMicrovmAndPortNeverReachTheGuest() throws Exception {
        String other = api.running();
        String otherToken = api.ok("POST", "/2025-09-09/microvms/" + other + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"allPorts\":{}}]}").get("authToken").get("X-aws-proxy-auth").asText();
        String shell = api.ok("POST", "/2025-09-09/microvms/" + id + "/shell-auth-token",
                "{\"expirationInMinutes\":5}").get("authToken").get("X-aws-proxy-auth").asText();
        String good = token();
        String forged = good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA");

        assertDenied(get("/", null), "missing X-aws-proxy-auth");
        assertDenied(get("/", otherToken), "another microVM");
        assertDenied(get("/", shell), "shell token");
        assertDenied(get("/", forged), "invalid token");
        assertDenied(get("/", "garbage"), "malformed token");
        assertDenied(get("/", good, "X-aws-proxy-port", "8081"), "does not allow port 8081");
        assertThat(api.agents.tcpConnects.size()).isZero();
    }

    void assertDenied(HttpResponse<String> r, String why) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        JsonNode body = ApiFixture.json(r);
        assertThat(body.get("__type").asText()).isEqualTo("AccessDeniedException");
        assertThat(body.get("message").asText()).contains(why);
    }

    @Test
    void badTokenRequestsNameTheNestedFieldAtFault() {
        String path = "/2025-09-09/microvms/" + id + "/auth-token";
        for (String[] c : new String[][] {
                {"[{\"range\":{\"startPort\":0,\"endPort\":5}}]", "allowedPorts[0].range.startPort must be between 1 and 65535"},
                {"[{\"port\":8080},{\"port\":\"x\"}]", "allowedPorts[1].port must be an integer"},
                {"[{\"range\":{\"startPort\":9}}]", "allowedPorts[0].range.endPort is required"},
                {"[{\"port\":1,\"allPorts\":{}}]", "allowedPorts[0] must set exactly one of port, range, allPorts"}}) {
            HttpResponse<String> r = api.send("POST", path, "{\"expirationInMinutes\":5,\"allowedPorts\":" + c[0] + "}");
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(ApiFixture.json(r).get("message").asText()).isEqualTo(c[1]);
        }
    }

    @Test
    void thePortHeaderPicksTheGuestPortAndAPortWithNothingListeningIsABadGateway() {
        api.agents.tcpPorts.put(9001, app.getAddress().getPort());

        assertThat(get("/p", token(), "X-aws-proxy-port", "9001").statusCode()).isEqualTo(200);
        HttpResponse<String> none = get("/p", token(), "X-aws-proxy-port", "9000");
        assertThat(none.statusCode()).isEqualTo(502);
        assertThat(ApiFixture.json(none).get("message").asText()).contains("nothing listens on port 9000");
        assertThat(get("/p", token(), "X-aws-proxy-port", "99999").statusCode()).isEqualTo(400);
    }

    @Test
    void bodiesGoUpWholeWithALengthOrChunked() throws Exception {
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        HttpRequest sized = HttpRequest.newBuilder(endpoint("/upload")).header("X-aws-proxy-auth", token())
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build();
        HttpRequest chunked = HttpRequest.newBuilder(endpoint("/upload")).header("X-aws-proxy-auth", token())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();

        assertThat(api.send(sized).body()).contains("sha256=" + sha256(big));
        assertThat(api.send(chunked).body()).contains("sha256=" + sha256(big));
    }

    @Test
    void aStreamedAnswerReachesTheClientAsItIsWritten() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(endpoint("/stream")).header("X-aws-proxy-auth", token()).build();
        HttpResponse<InputStream> r = api.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("first");
            firstChunkSeen.countDown();
            assertThat(lines.readLine()).isEqualTo("second");
        }
    }

    @Test
    void keepAliveRequestsShareOneConnectionToTheGuestAndHostRoutingLeavesThePathAlone() throws Exception {
        String t = token();
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                o.write(("GET /n/" + i + " HTTP/1.1\r\nHost: " + id + ".localhost\r\nX-aws-proxy-auth: " + t + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
                String answer = readAnswer(in);
                assertThat(answer).startsWith("HTTP/1.1 200").contains("GET /n/" + i + " ").contains("prefix=null");
            }
        }
        assertThat(api.agents.tcpConnects.size()).isEqualTo(1);
    }

    @Test
    void malformedOrAmbiguousRequestsAreRefusedWithATypedError() throws Exception {
        String t = token();
        String smuggle = "POST / HTTP/1.1\r\nHost: " + id + ".x\r\nX-aws-proxy-auth: " + t
                + "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assertThat(raw(smuggle)).startsWith("HTTP/1.1 400").contains("ValidationException")
                .contains("both Transfer-Encoding and Content-Length");
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET / HTTP/1.1\r\nHost: nowhere\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 404").contains("names no microVM");
        assertThat(raw("GET /" + id + "/ HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Protocol: lambda-microvms.port.0\r\n\r\n"))
                .startsWith("HTTP/1.1 400").contains("does not name a port");
        assertThat(api.agents.tcpConnects.size()).isZero();
    }

    @Test
    void anUpgradeTurnsTheConnectionIntoAPipeBothWays() throws Exception {
        try (ServerSocket ws = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            api.agents.tcpPorts.put(8080, ws.getLocalPort());
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket c = ws.accept()) {
                    InputStream in = c.getInputStream();
                    readAnswer(in); // the upgrade request head
                    c.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    in.transferTo(c.getOutputStream()); // echo until the client half-closes
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /" + id + "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Protocol: lambda-microvms.port.8080, lambda-microvms.auth." + token() + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                String head = readAnswer(s.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Protocol: lambda-microvms.port.8080");
                s.getOutputStream().write("ping-pong".getBytes());
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes())).isEqualTo("ping-pong");
            }
            server.join(10_000);
        }
    }

    @Test
    void aHostileApplicationsAnswerIsBoundedAndRefusedAsABadGateway() throws Exception {
        for (String answer : new String[] {"HTTP/1.1 200 OK\r\nX-Flood: " + "a".repeat(70_000) + "\r\n\r\n",
                "NOT HTTP AT ALL\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"}) {
            try (ServerSocket evil = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                api.agents.tcpPorts.put(8080, evil.getLocalPort());
                Thread server = Thread.ofVirtual().start(() -> {
                    try (Socket c = evil.accept()) {
                        readAnswer(c.getInputStream());
                        c.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                        c.getOutputStream().flush();
                        c.getInputStream().read(); // until the proxy hangs up
                    } catch (IOException ignored) {
                        // the proxy closed first
                    }
                });
                HttpResponse<String> r = get("/", token());
                assertThat(r.statusCode()).as(answer.substring(0, 15)).isEqualTo(502);
                assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo("BadGatewayException");
                server.join(10_000);
            }
        }
        assertThat(api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText())
                .as("a bad answer is the application's failure, not the microVM's").isEqualTo("RUNNING");
    }

    @Test
    void oneMicrovmsClientsCannotHoldMoreThanItsShareOfConnections() throws Exception {
        api.close();
        api = new ApiFixture(dir.resolve("small"), 8, c -> c.withEndpoint(c.endpoint().withConnectionLimits(64, 2)));
        id = api.running();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        String t = token();
        String request = "GET /" + id + "/k HTTP/1.1\r\nHost: x\r\nX-aws-proxy-auth: " + t + "\r\n\r\n";
        try (Socket a = new Socket("127.0.0.1", api.server.endpointPort());
             Socket b = new Socket("127.0.0.1", api.server.endpointPort())) {
            for (Socket s : new Socket[] {a, b}) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readAnswer(s.getInputStream())).startsWith("HTTP/1.1 200");
            }
            assertThat(raw(request)).startsWith("HTTP/1.1 503").contains("ServiceQuotaExceededException");
        }
        Thread.sleep(200); // the two close; their slots are released
        assertThat(raw(request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"))).startsWith("HTTP/1.1 200");
    }

    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One answer with a Content-Length body (or only a head), read off a kept-alive connection. */
    static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        if (!m.find()) return head.toString();
        return head + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
