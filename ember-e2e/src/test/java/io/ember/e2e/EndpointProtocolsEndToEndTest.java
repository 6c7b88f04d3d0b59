package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.endpoint.AuthTokens;
import io.ember.endpoint.LocalCa;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.PortSpecification;
import io.ember.sdk.RunMicrovmRequest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The endpoint's protocols with a real guest (examples/session-app, plain HTTP/1.1 inside) behind an endpoint that
 * speaks TLS with Ember's own CA, as `ember server` does by default: HTTPS, HTTP/2 (the JDK client and curl), server-sent
 * events over HTTP/2, a WebSocket with AWS's subprotocols, and the shell at {@code <endpoint>/shell}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointProtocolsEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path APP = Path.of("..", "examples", "session-app");
    EmberTestServer server;
    EmberClient client;
    Path tmp;
    Path ca;
    HttpClient h1, h2;

    @BeforeAll
    void start() throws Exception {
        server = EmberTestServer.withEndpointTls();
        client = server.client();
        ca = server.dataDir().resolve(LocalCa.CERT_FILE);
        SSLContext trust = trusting(ca);
        h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).build();
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trust).build();
        tmp = Files.createTempDirectory("ember-endpoint-protocols-e2e");
        Path zip = CodeZip.dockerfile(Files.readString(APP.resolve("Dockerfile")))
                .file("app.py", Files.readString(APP.resolve("app.py"))).write(tmp);
        var created = client.createMicrovmImage(CreateMicrovmImageRequest.of("session-app", "debian",
                client.uploadCodeArtifact(zip).codeArtifact()));
        MicrovmImageVersion v = client.waitForImageVersion("session-app", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
    }

    @AfterAll
    void stop() throws Exception {
        // shutdownNow: close() would wait for every WebSocket to finish its closing handshake
        h1.shutdownNow();
        h2.shutdownNow();
        server.close();
        EmberTestServer.deleteTree(tmp);
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ember-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    String token(String id) {
        return client.createMicrovmAuthToken(id, 10, List.of(PortSpecification.port(8080))).value();
    }

    @Test
    void httpsHttp2AndServerSentEventsReachAnHttp11Application() throws Exception {
        try (TestVm vm = TestVm.run(server, "session-app")) {
            String t = token(vm.id);
            String endpoint = client.getMicrovm(vm.id).endpoint();
            assertThat(endpoint).startsWith("https://127.0.0.1:");
            for (HttpClient c : List.of(h1, h2)) {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(endpoint + "/state")).header(AuthTokens.HEADER, t)
                        .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(c.version());
                assertThat(JSON.readTree(r.body()).get("hostname").asText()).isEqualTo(vm.id);
            }
            HttpResponse<String> echo = h2.send(HttpRequest.newBuilder(URI.create(endpoint + "/echo")).header(AuthTokens.HEADER, t)
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200_000))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(echo.body()).get("length").asInt()).isEqualTo(200_000);

            HttpResponse<InputStream> sse = h2.send(HttpRequest.newBuilder(URI.create(endpoint + "/stream"))
                    .header(AuthTokens.HEADER, t).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(sse.version()).isEqualTo(HttpClient.Version.HTTP_2);
            List<Long> arrivals = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("data: tick")) arrivals.add(System.nanoTime());
                }
            }
            assertThat(arrivals).hasSize(5);
            assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(4) - arrivals.get(0)))
                    .as("events arrive over HTTP/2 as the application writes them").isGreaterThanOrEqualTo(600);

            // curl, a client of its own (nghttp2), trusting only Ember's CA.
            Process curl = new ProcessBuilder("curl", "-sS", "--http2", "--cacert", ca.toString(), "-o", "/dev/null",
                    "-w", "%{http_version} %{http_code}", "-H", AuthTokens.HEADER + ": " + t, endpoint + "/state")
                    .redirectErrorStream(true).start();
            assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("2 200");
        }
    }

    @Test
    void aWebSocketWithAwsSubprotocolsAndTheShellAtEndpointSlashShell() throws Exception {
        RunMicrovmRequest run = RunMicrovmRequest.of("session-app")
                .withIngressNetworkConnectors(List.of(io.ember.sdk.NetworkConnector.ALL_INGRESS));
        try (TestVm vm = TestVm.run(server, run)) {
            String wss = client.getMicrovm(vm.id).endpoint().replaceFirst("^https", "wss");
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = h1.newWebSocketBuilder()
                    .subprotocols("lambda-microvms", "lambda-microvms.authentication." + token(vm.id), "lambda-microvms.port.8080")
                    .buildAsync(URI.create(wss + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            socket.request(1);
                            return null;
                        }
                    }).get(60, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("lambda-microvms");
            ws.sendText("over wss with AWS's subprotocols", true);
            assertThat(echoed.get(60, TimeUnit.SECONDS)).isEqualTo("over wss with AWS's subprotocols");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");

            String shellToken = client.createMicrovmShellAuthToken(vm.id, 5).value();
            StringBuilder output = new StringBuilder();
            CompletableFuture<Void> sawIt = new CompletableFuture<>();
            WebSocket shell = h1.newWebSocketBuilder()
                    .subprotocols("lambda-microvms.authentication." + shellToken, "lambda-microvms", "lambda-microvms.port.8022")
                    .buildAsync(URI.create(wss + "/shell"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                            synchronized (output) {
                                output.append(StandardCharsets.UTF_8.decode(data));
                                if (output.toString().contains("shell-says-42")) sawIt.complete(null);
                            }
                            socket.request(1);
                            return null;
                        }
                    }).get(60, TimeUnit.SECONDS);
            shell.sendBinary(ByteBuffer.wrap("echo shell-says-$((6*7))\r".getBytes(StandardCharsets.UTF_8)), true);
            sawIt.get(60, TimeUnit.SECONDS);
            shell.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
