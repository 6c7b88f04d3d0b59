package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.testing.SigningHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-tenant request rates and the replay guard over HTTP: throttling one tenant alone, replays across a restart. */
class RequestLimitsApiTest {
    @TempDir Path dir;
    ApiFixture api;
    SigningHttpClient.Key admin;
    final HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        admin = SigningHttpClient.Key.admin(api.dataDir);
    }

    @AfterEach
    void tearDown() {
        api.close();
        plain.close();
    }

    private SigningHttpClient.Key tenantKey(String name, String quotas) {
        api.http.use(admin);
        String tenantId = api.ok("POST", "/ember/v1/tenants", "{\"name\":\"" + name + "\"" + (quotas == null ? "" : ",\"quotas\":" + quotas)
                + "}").get("tenantId").asText();
        JsonNode k = api.ok("POST", "/ember/v1/tenants/" + tenantId + "/access-keys", null);
        return new SigningHttpClient.Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText());
    }

    private HttpResponse<String> send(HttpRequest signed) throws Exception {
        return plain.send(signed, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest whoami(SigningHttpClient.Key key) {
        return SigningHttpClient.sign(HttpRequest.newBuilder(api.uri("/ember/v1/whoami")).GET().build(), key);
    }

    @Test
    void aTenantOverItsRateIsThrottledWhileAnotherIsServed() throws Exception {
        SigningHttpClient.Key noisy = tenantKey("noisy", "{\"requestsPerSecond\":1,\"requestBurst\":5}");
        SigningHttpClient.Key quiet = tenantKey("quiet", null);
        List<HttpResponse<String>> noisyAnswers = new ArrayList<>();
        for (int i = 0; i < 20; i++) noisyAnswers.add(send(whoami(noisy)));
        List<HttpResponse<String>> throttled = noisyAnswers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(noisyAnswers.stream().filter(r -> r.statusCode() == 200).count()).isBetween(5L, 7L); // the burst, a refill
        assertThat(throttled).isNotEmpty();
        HttpResponse<String> t = throttled.getFirst();
        assertThat(t.headers().firstValue("X-Amzn-ErrorType")).contains("ThrottlingException");
        assertThat(ApiFixture.json(t).get("__type").asText()).isEqualTo("ThrottlingException");
        assertThat(ApiFixture.json(t).get("message").asText()).contains("Rate exceeded");
        assertThat(t.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
        // The other tenant (default rate) is served all along, as is the admin.
        for (int i = 0; i < 50; i++) assertThat(send(whoami(quiet)).statusCode()).isEqualTo(200);
        assertThat(send(whoami(admin)).statusCode()).isEqualTo(200);
        // The rate is the tenant's quota, shown and changed like the others.
        api.http.use(admin);
        JsonNode shown = api.ok("GET", "/ember/v1/tenants/noisy", null).get("quotas");
        assertThat(shown.get("requestsPerSecond").asInt()).isEqualTo(1);
        assertThat(api.ok("GET", "/ember/v1/tenants/quiet", null).get("quotas").get("requestsPerSecond").asInt()).isEqualTo(100);
        api.ok("PATCH", "/ember/v1/tenants/noisy", "{\"quotas\":{\"requestsPerSecond\":1000,\"requestBurst\":1000}}");
        for (int i = 0; i < 20; i++) assertThat(send(whoami(noisy)).statusCode()).isEqualTo(200);
        assertThat(api.send("PATCH", "/ember/v1/tenants/noisy", "{\"quotas\":{\"requestsPerSecond\":0}}").statusCode()).isEqualTo(400);
    }

    @Test
    void aCapturedChangeIsRefusedAfterARestart() throws Exception {
        HttpRequest change = SigningHttpClient.sign(HttpRequest.newBuilder(api.uri("/ember/v1/secrets/s"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"v1\"}")).build(), admin);
        assertThat(send(change).statusCode()).isEqualTo(200);
        int port = api.server.port();
        api.close();
        // The same data directory and port (the host is signed): a new server process would see the same store.
        api = new ApiFixture(dir, 64, c -> c.withPort(port));
        HttpRequest again = HttpRequest.newBuilder(api.uri("/ember/v1/secrets/s")).PUT(HttpRequest.BodyPublishers.ofString(
                "{\"value\":\"v1\"}")).headers(change.headers().map().entrySet().stream()
                .flatMap(e -> e.getValue().stream().flatMap(v -> java.util.stream.Stream.of(e.getKey(), v))).toArray(String[]::new))
                .build();
        HttpResponse<String> replayed = send(again);
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(403);
        assertThat(replayed.body()).contains("already received");
    }

    @Test
    void uploadsPastTheTenantsQuotaAreRefusedAndLeaveNothing() throws Exception {
        SigningHttpClient.Key small = tenantKey("small", "{\"maxUploads\":1,\"maxUploadBytes\":1000}");
        byte[] zip = new byte[600];
        zip[0] = 'P';
        zip[1] = 'K';
        HttpRequest.Builder upload = HttpRequest.newBuilder(api.uri(BuildExtensionRoutes.UPLOADS)).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip));
        assertThat(send(SigningHttpClient.sign(upload.build(), small)).statusCode()).isEqualTo(201);
        HttpResponse<String> refused = send(SigningHttpClient.sign(upload.build(), small));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
        JsonNode e = ApiFixture.json(refused);
        assertThat(e.get("__type").asText()).isEqualTo("ServiceQuotaExceededException");
        assertThat(e.get("quotaCode").asText()).isEqualTo("maxUploads");
        api.http.use(admin);
        api.ok("PATCH", "/ember/v1/tenants/small", "{\"quotas\":{\"maxUploads\":5,\"maxUploadBytes\":1000}}");
        refused = send(SigningHttpClient.sign(upload.build(), small));
        assertThat(ApiFixture.json(refused).get("quotaCode").asText()).as(refused.body()).isEqualTo("maxUploadBytes");
        String tenantId = ApiFixture.json(send(whoami(small))).get("tenantId").asText();
        try (var files = java.nio.file.Files.list(api.dataDir.resolve("uploads"))) {
            assertThat(files.filter(p -> p.toString().contains(tenantId))).hasSize(1);
        }
        // Another tenant uploads as before.
        assertThat(send(SigningHttpClient.sign(upload.build(), admin)).statusCode()).isEqualTo(201);
    }

    @Test
    void twoIdenticalUnsignedPayloadUploadsAreTwoUploads() throws Exception {
        byte[] zip = {'P', 'K', 3, 4, 0, 0};
        HttpRequest upload = SigningHttpClient.sign(HttpRequest.newBuilder(api.uri(BuildExtensionRoutes.UPLOADS))
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build(), admin);
        HttpResponse<String> first = send(upload), second = send(upload); // one signature: what curl sends twice in a second
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
        assertThat(ApiFixture.json(second).get("uploadId").asText()).isNotEqualTo(ApiFixture.json(first).get("uploadId").asText());
    }
}
