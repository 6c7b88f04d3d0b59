package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ember.endpoint.LocalCa;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on the endpoint (ALPN h2 over TLS with Ember's CA) in front of an HTTP/1.1 application: each stream is
 * checked on its own and relayed as HTTP/1.1, bodies stream both ways, refusals are typed as over HTTP/1.1.
 */
class EndpointHttp2Test {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;
    String id;
    String token;
    HttpClient h2;
    final CountDownLatch firstChunkSeen = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withEndpoint(c.endpoint().withLocalCa(c.dataDir())));
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        app.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String answer = ex.getRequestMethod() + " " + ex.getRequestURI() + " proto=" + ex.getProtocol()
                    + " xfp=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto")
                    + " auth=" + ex.getRequestHeaders().getFirst("X-aws-proxy-auth")
                    + " cookie=" + ex.getRequestHeaders().getFirst("Cookie")
                    + " body=" + new String(body, StandardCharsets.UTF_8);
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Connection", "keep-alive");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.createContext("/empty", ex -> {
            ex.sendResponseHeaders(200, -1); // Content-Length: 0
            ex.close();
        });
        app.createContext("/stream", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream o = ex.getResponseBody();
            o.write("first\n".getBytes());
            o.flush();
            try {
                firstChunkSeen.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            o.write("second\n".getBytes());
            ex.close();
        });
        app.start();
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(EndpointLocalCaTest.trusting(api.dataDir.resolve(LocalCa.CERT_FILE))).build();
    }

    @AfterEach
    void stop() {
        h2.close();
        app.stop(0);
        api.close();
    }

    URI url(String path) {
        return URI.create("https://127.0.0.1:" + api.server.endpointPort() + "/" + id + path);
    }

    HttpResponse<String> send(HttpRequest r) throws Exception {
        return h2.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anH2ClientReachesAnHttp11ApplicationWithBodiesBothWays() throws Exception {
        HttpResponse<String> get = send(HttpRequest.newBuilder(url("/hello?x=1")).header("X-aws-proxy-auth", token)
                .header("Cookie", "a=1").build());
        assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertThat(get.body()).startsWith("GET /hello?x=1 proto=HTTP/1.1 xfp=https auth=null cookie=a=1 body=");

        String big = "x".repeat(300_000); // past every window: flow control both ways
        HttpResponse<String> post = send(HttpRequest.newBuilder(url("/up")).header("X-aws-proxy-auth", token)
                .POST(HttpRequest.BodyPublishers.ofString(big)).build());
        assertThat(post.body()).startsWith("POST /up ").endsWith("body=" + big);

        HttpResponse<String> empty = send(HttpRequest.newBuilder(url("/empty")).header("X-aws-proxy-auth", token).build());
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();

        // No length given: the body goes up chunked.
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(url("/up")).header("X-aws-proxy-auth", token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("streamed".getBytes()))).build());
        assertThat(chunked.body()).endsWith("body=streamed");
    }

    @Test
    void manyStreamsAtOnceOnOneConnection() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(h2.sendAsync(HttpRequest.newBuilder(url("/n/" + i)).header("X-aws-proxy-auth", token).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("GET /n/" + i + " ");
        }
    }

    @Test
    void aStreamedAnswerArrivesAsItIsWritten() throws Exception {
        HttpResponse<InputStream> r = h2.send(HttpRequest.newBuilder(url("/stream")).header("X-aws-proxy-auth", token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = r.body();
        byte[] first = new byte[6];
        assertThat(in.readNBytes(first, 0, 6)).isEqualTo(6);
        assertThat(new String(first)).isEqualTo("first\n");
        firstChunkSeen.countDown();
        assertThat(new String(in.readAllBytes())).isEqualTo("second\n");
    }

    @Test
    void eachStreamIsCheckedOnItsOwnAndRefusalsAreTyped() throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(url("/x")).build());
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.headers().firstValue("x-amzn-ErrorType")).hasValue("AccessDeniedException");
        assertThat(none.body()).contains("missing X-aws-proxy-auth");
        HttpResponse<String> port = send(HttpRequest.newBuilder(url("/x")).header("X-aws-proxy-auth", token)
                .header("X-aws-proxy-port", "22").build());
        assertThat(port.statusCode()).isEqualTo(403);
        HttpResponse<String> nowhere = send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + api.server.endpointPort() + "/nothing")).build());
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(url("/ok")).header("X-aws-proxy-auth", token).build()).statusCode())
                .as("the connection is still good after refusals").isEqualTo(200);
        String wide = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"allPorts\":{}}]}").get("authToken").get("X-aws-proxy-auth").asText();
        HttpResponse<String> down = send(HttpRequest.newBuilder(url("/x")).header("X-aws-proxy-auth", wide)
                .header("X-aws-proxy-port", "9000").build());
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.body()).contains("nothing listens on port 9000");
    }

    @Test
    void h2WithPriorKnowledgeOnAPlainListener() throws Exception {
        api.close();
        api = new ApiFixture(dir.resolve("plain"), 64);
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            H2Wire wire = new H2Wire(s);
            wire.preface();
            wire.headers(1, List.of(":method", "GET", ":scheme", "http", ":authority", "127.0.0.1",
                    ":path", "/" + id + "/pk", "x-aws-proxy-auth", token), true);
            H2Wire.Answer a = wire.answer(1);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).startsWith("GET /pk proto=HTTP/1.1 xfp=http auth=null");
        }
        // Upgrade: h2c (what curl --http2 sends over plain HTTP): the upgrading request is stream 1.
        try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /" + id + "/up?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nX-aws-proxy-auth: " + token + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(EndpointApiTest.readAnswer(s.getInputStream())).startsWith("HTTP/1.1 101").contains("Upgrade: h2c");
            H2Wire wire = new H2Wire(s);
            wire.preface();
            H2Wire.Answer a = wire.answer(1);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).startsWith("GET /up?q=1 proto=HTTP/1.1 xfp=http auth=null");
            wire.headers(3, List.of(":method", "GET", ":scheme", "http", ":authority", "127.0.0.1",
                    ":path", "/" + id + "/second"), true);
            assertThat(wire.answer(3).status()).as("every stream carries its own token").isEqualTo(403);
        }
    }
}
