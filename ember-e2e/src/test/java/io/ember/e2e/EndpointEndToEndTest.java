package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.endpoint.AuthTokens;
import io.ember.endpoint.PortRange;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.IdlePolicy;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each microVM's endpoint with a real guest: the example application (examples/session-app) built into
 * an image, reached through the endpoint GetMicrovm gives, with tokens, streaming, a WebSocket, and
 * traffic driving the idle policy (suspend when quiet, the next request wakes it with its memory).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path APP = Path.of("..", "examples", "session-app");
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    EmberTestServer server;
    EmberClient client;
    Path tmp;

    @BeforeAll
    void start() throws Exception {
        server = EmberTestServer.start();
        client = server.client();
        tmp = Files.createTempDirectory("ember-endpoint-e2e");
        Path zip = CodeZip.dockerfile(Files.readString(APP.resolve("Dockerfile")))
                .file("app.py", Files.readString(APP.resolve("app.py"))).write(tmp);
        var created = client.createMicrovmImage(CreateMicrovmImageRequest.of("session-app", "debian",
                client.uploadCodeArtifact(zip).codeArtifact()));
        MicrovmImageVersion v = client.waitForImageVersion("session-app", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        EmberTestServer.deleteTree(tmp);
    }

    String token(String id) {
        return client.createMicrovmAuthToken(id, 10, List.of(PortSpecification.port(8080))).value();
    }

    HttpResponse<String> send(String id, String method, String path, String token, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(client.getMicrovm(id).endpoint() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(120));
        if (token != null) b.header(AuthTokens.HEADER, token);
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(String id, String method, String path, String token, String body) throws Exception {
        HttpResponse<String> r = send(id, method, path, token, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static void assertRefused(HttpResponse<String> r, int status, String type, String why) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("__type").asText()).isEqualTo(type);
        assertThat(body.get("message").asText()).contains(why);
    }

    @Test
    void theApplicationAnswersThroughTheEndpointOnlyWithAValidTokenOfItsMicrovm() throws Exception {
        try (TestVm a = TestVm.run(server, "session-app"); TestVm b = TestVm.run(server, "session-app")) {
            String tokenA = token(a.id);
            String expired = AuthTokens.open(server.dataDir(), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-61)))
                    .issueEndpoint(a.id, List.of(PortRange.of(8080)), Duration.ofMinutes(60));

            JsonNode state = ok(a.id, "GET", "/state", tokenA, null);
            assertThat(state.get("hostname").asText()).isEqualTo(a.id);
            assertThat(ok(a.id, "POST", "/echo", tokenA, "x".repeat(100_000)).get("length").asInt()).isEqualTo(100_000);

            assertRefused(send(a.id, "GET", "/state", null, null), 403, "AccessDeniedException", "missing X-aws-proxy-auth");
            assertRefused(send(a.id, "GET", "/state", expired, null), 403, "AccessDeniedException", "expired");
            assertRefused(send(a.id, "GET", "/state", token(b.id), null), 403, "AccessDeniedException", "another microVM");
            assertRefused(send(a.id, "GET", "/state", tokenA, null, "X-aws-proxy-port", "22"), 403, "AccessDeniedException",
                    "does not allow port 22");
            JsonNode headers = ok(a.id, "GET", "/headers", tokenA, null);
            assertThat(headers.has("X-aws-proxy-auth")).as("the token never reaches the guest").isFalse();
            assertThat(headers.get("X-Forwarded-Prefix").asText()).isEqualTo("/" + a.id);
        }
    }

    @Test
    void streamedAnswersAndWebSocketsPassThrough() throws Exception {
        try (TestVm vm = TestVm.run(server, "session-app")) {
            String t = token(vm.id);
            String endpoint = client.getMicrovm(vm.id).endpoint();
            HttpRequest stream = HttpRequest.newBuilder(URI.create(endpoint + "/stream")).header(AuthTokens.HEADER, t).build();
            HttpResponse<InputStream> r = http.send(stream, HttpResponse.BodyHandlers.ofInputStream());
            List<Long> arrivals = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("data: tick")) arrivals.add(System.nanoTime());
                }
            }
            assertThat(arrivals).hasSize(5);
            assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(4) - arrivals.get(0)))
                    .as("events arrive as the application writes them, 200 ms apart, not all at the end").isGreaterThanOrEqualTo(600);

            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = http.newWebSocketBuilder().header(AuthTokens.HEADER, t)
                    .buildAsync(URI.create(endpoint.replaceFirst("^http", "ws") + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            return null;
                        }
                    }).get(60, TimeUnit.SECONDS);
            ws.sendText("hello through the endpoint", true);
            assertThat(echoed.get(60, TimeUnit.SECONDS)).isEqualTo("hello through the endpoint");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    @Test
    void trafficKeepsItAwakeQuietSuspendsItAndTheNextRequestWakesItWithItsMemory() throws Exception {
        RunMicrovmRequest run = RunMicrovmRequest.of("session-app").withIdlePolicy(new IdlePolicy(3, 28800, true));
        try (TestVm vm = TestVm.run(server, run)) {
            String t = token(vm.id);
            for (int i = 1; i <= 6; i++) { // 6 s of requests a second apart: more than maxIdleDurationSeconds
                assertThat(ok(vm.id, "POST", "/counter", t, "").get("counter").asInt()).isEqualTo(i);
                Thread.sleep(1000);
            }
            assertThat(client.getMicrovm(vm.id).state()).isEqualTo(MicrovmState.RUNNING);

            client.waitUntilState(vm.id, MicrovmState.SUSPENDED, Duration.ofSeconds(120));
            long t0 = System.nanoTime();
            JsonNode state = ok(vm.id, "GET", "/state", t, null);
            long wokeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(state.get("counter").asInt()).as("the same process, its memory kept through the suspend").isEqualTo(6);
            List<String> events = Rest.events(server, vm.id);
            assertThat(String.join("\n", events)).contains("SUSPENDED/IDLE").contains("PENDING/REQUEST");
            System.out.printf("endpoint request that woke a suspended microVM: %d ms%n", wokeMs);
        }
    }

    @Test
    void withoutAutoResumeARequestToASuspendedMicrovmGetsAClearError() throws Exception {
        RunMicrovmRequest run = RunMicrovmRequest.of("session-app").withIdlePolicy(new IdlePolicy(2, 28800, false));
        try (TestVm vm = TestVm.run(server, run)) {
            String t = token(vm.id);
            client.waitUntilState(vm.id, MicrovmState.SUSPENDED, Duration.ofSeconds(120));

            assertRefused(send(vm.id, "GET", "/state", t, null), 409, "ConflictException", "ResumeMicrovm");
            assertThat(client.getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
        }
    }
}
