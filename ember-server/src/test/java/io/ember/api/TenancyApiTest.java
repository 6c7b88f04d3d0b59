package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.testing.Await;
import io.ember.testing.SigningHttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two tenants on one server (fake machines): keys, ownership, revocation, replay, quotas. */
class TenancyApiTest {
    @TempDir
    Path dir;
    ApiFixture api;
    SigningHttpClient.Key admin;

    final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();
    final List<String> secrets = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        logs.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ember")).setLevel(ch.qos.logback.classic.Level.TRACE);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        api = new ApiFixture(dir, 64, c -> c.withMinIdleSeconds(1)); // the idle policy acts within the test
        admin = SigningHttpClient.Key.admin(api.dataDir);
        secrets.add(admin.secret());
    }

    @AfterEach
    void tearDown() {
        api.close();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ember")).setLevel(null);
        // No access key's secret in any line the server wrote, at any level.
        assertThat(logs.list).as("the server's log was captured").isNotEmpty();
        for (var e : logs.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            for (String secret : secrets) assertThat(line).doesNotContain(secret);
        }
    }

    private SigningHttpClient.Key tenantKey(String name, String quotas) {
        api.http.use(admin);
        String tenantId = api.ok("POST", "/ember/v1/tenants", "{\"name\":\"" + name + "\"" + (quotas == null ? "" : ",\"quotas\":" + quotas)
                + "}").get("tenantId").asText();
        JsonNode k = api.ok("POST", "/ember/v1/tenants/" + tenantId + "/access-keys", null);
        assertThat(k.get("secretAccessKey").asText()).hasSize(40);
        secrets.add(k.get("secretAccessKey").asText());
        return new SigningHttpClient.Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText());
    }

    private HttpResponse<String> as(SigningHttpClient.Key key, String method, String path, String body) {
        api.http.use(key);
        return api.send(method, path, body);
    }

    private static void notFound(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void theFirstStartWritesTheAdminsKeyReadableByItsOwnerOnly() throws Exception {
        assertThat(Files.getPosixFilePermissions(api.dataDir.resolve("credentials")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        JsonNode me = api.ok("GET", "/ember/v1/whoami", null);
        assertThat(me.get("tenantId").asText()).isEqualTo("000000000000");
        assertThat(me.get("admin").asBoolean()).isTrue();
        // The database holds the secret only sealed with the host key.
        byte[] db = Files.readAllBytes(api.dataDir.resolve("ember.db"));
        String wal = Files.exists(api.dataDir.resolve("ember.db-wal")) ? Files.readString(api.dataDir.resolve("ember.db-wal"),
                java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        assertThat(new String(db, java.nio.charset.StandardCharsets.ISO_8859_1) + wal).doesNotContain(admin.secret());
    }

    @Test
    void aTenantSeesNothingOfAnothersAndAnothersIdsAnswerAsUnknownOnes() {
        SigningHttpClient.Key a = tenantKey("tenant-a", null), b = tenantKey("tenant-b", null);
        api.http.use(a);
        String id = api.running();
        JsonNode mine = api.ok("GET", "/2025-09-09/microvms/" + id, null);
        String arn = mine.get("microvmArn") != null ? mine.get("microvmArn").asText() : null;
        String unknown = "mvm-0123456789abcdef01234567";
        for (String vm : List.of(id, unknown)) {
            notFound(as(b, "GET", "/2025-09-09/microvms/" + vm, null));
            notFound(as(b, "DELETE", "/2025-09-09/microvms/" + vm, null));
            notFound(as(b, "POST", "/2025-09-09/microvms/" + vm + "/suspend", null));
            notFound(as(b, "POST", "/ember/v1/microvms/" + vm + "/exec", "{\"command\":[\"true\"]}"));
            notFound(as(b, "GET", "/ember/v1/microvms/" + vm + "/files/stat?path=/", null));
            notFound(as(b, "GET", "/ember/v1/microvms/" + vm + "/events", null));
            notFound(as(b, "GET", "/ember/v1/usage?microvmId=" + vm, null));
            notFound(as(b, "POST", "/2025-09-09/microvms/" + vm + "/auth-token", "{\"allowedPorts\":[{\"port\":8080}],\"expirationInMinutes\":5}"));
            notFound(as(b, "GET", "/2017-03-31/tags/" + vm, null));
        }
        if (arn != null) notFound(as(b, "GET", "/2025-09-09/microvms/" + java.net.URLEncoder.encode(arn,
                java.nio.charset.StandardCharsets.UTF_8), null));
        assertThat(ApiFixture.json(as(b, "GET", "/2025-09-09/microvms", null)).get("items")).isEmpty();
        assertThat(ApiFixture.json(as(b, "GET", "/ember/v1/events", null)).get("events")).isEmpty();
        assertThat(ApiFixture.json(as(b, "GET", "/ember/v1/usage", null)).get("microvms")).isEmpty();
        assertThat(ApiFixture.json(as(b, "GET", "/ember/v1/tenants", null)).get("__type").asText()).isEqualTo("AccessDeniedException");
        assertThat(ApiFixture.json(as(b, "GET", "/ember/v1/usage?tenantId=all", null)).get("__type").asText())
                .isEqualTo("AccessDeniedException");
        // Still A's, untouched; and A sees its own events.
        api.http.use(a);
        assertThat(api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText()).isEqualTo("RUNNING");
        assertThat(api.ok("GET", "/ember/v1/events", null).get("events")).isNotEmpty();
        // The admin is a tenant like the others: A's microVM is not its either.
        notFound(as(admin, "GET", "/2025-09-09/microvms/" + id, null));
        JsonNode all = ApiFixture.json(as(admin, "GET", "/ember/v1/usage?tenantId=all", null));
        assertThat(all.get("microvms").findValuesAsText("microvmId")).contains(id);
    }

    @Test
    void aRevokedKeyStopsAtOnceAndASignatureIsAcceptedOnce() throws Exception {
        SigningHttpClient.Key a = tenantKey("tenant-a", null);
        assertThat(as(a, "GET", "/ember/v1/whoami", null).statusCode()).isEqualTo(200);
        HttpRequest read = SigningHttpClient.sign(HttpRequest.newBuilder(api.uri("/ember/v1/whoami")).GET().build(), a);
        HttpRequest change = SigningHttpClient.sign(HttpRequest.newBuilder(api.uri("/2017-03-31/tags/mvm-0123456789abcdef01234567"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Tags\":{\"k\":\"v\"}}")).build(), a);
        try (java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient()) {
            // A read may repeat within the skew window (as AWS allows); a change is accepted once.
            assertThat(plain.send(read, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(plain.send(read, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(plain.send(change, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            HttpResponse<String> replayed = plain.send(change, HttpResponse.BodyHandlers.ofString());
            assertThat(replayed.statusCode()).isEqualTo(403);
            assertThat(replayed.body()).contains("already received");
        }
        String tenantId = ApiFixture.json(as(a, "GET", "/ember/v1/whoami", null)).get("tenantId").asText();
        api.http.use(admin);
        api.ok("DELETE", "/ember/v1/tenants/" + tenantId + "/access-keys/" + a.id(), null);
        HttpResponse<String> after = as(a, "GET", "/ember/v1/whoami", null);
        assertThat(after.statusCode()).isEqualTo(403);
        assertThat(ApiFixture.json(after).get("__type").asText()).isEqualTo("UnrecognizedClientException");
        api.http.use(admin);
        JsonNode keys = api.ok("GET", "/ember/v1/tenants/" + tenantId + "/access-keys", null).get("accessKeys");
        assertThat(keys.get(0).get("status").asText()).isEqualTo("REVOKED");
        assertThat(keys.toString()).doesNotContain(a.secret());
    }

    @Test
    void aQuotaRefusalNamesTheLimitLeavesNothingBehindAndIsAnEvent() {
        SigningHttpClient.Key b = tenantKey("tenant-b", "{\"maxRunningMicrovms\":1}");
        api.http.use(b);
        String first = api.running();
        HttpResponse<String> refused = api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
        JsonNode e = ApiFixture.json(refused);
        assertThat(e.get("__type").asText()).isEqualTo("ServiceQuotaExceededException");
        assertThat(e.get("quotaCode").asText()).isEqualTo("maxRunningMicrovms");
        assertThat(e.get("message").asText()).contains("maxRunningMicrovms = 1");
        JsonNode items = api.ok("GET", "/2025-09-09/microvms", null).get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("microvmId").asText()).isEqualTo(first);
        JsonNode events = api.ok("GET", "/ember/v1/events", null).get("events");
        assertThat(events.findValuesAsText("type")).contains("REFUSED");
        // Another tenant is not held back by B's quota.
        SigningHttpClient.Key c = tenantKey("tenant-c", null);
        api.http.use(c);
        api.running();
        // Suspended microVMs have their own quota.
        SigningHttpClient.Key d = tenantKey("tenant-d", "{\"maxSuspendedMicrovms\":0}");
        api.http.use(d);
        String vm = api.running();
        HttpResponse<String> suspend = api.send("POST", "/2025-09-09/microvms/" + vm + "/suspend", null);
        assertThat(suspend.statusCode()).as(suspend.body()).isEqualTo(402);
        assertThat(ApiFixture.json(suspend).get("quotaCode").asText()).isEqualTo("maxSuspendedMicrovms");
        Await.until("still RUNNING", () -> api.ok("GET", "/2025-09-09/microvms/" + vm, null).get("state").asText().equals("RUNNING"));
        // The idle policy is bound by the same quota: the microVM stays RUNNING and the refusal is an event.
        String idle = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":"
                + "{\"maxIdleDurationSeconds\":1,\"suspendedDurationSeconds\":0,\"autoResumeEnabled\":true}}").get("microvmId").asText();
        Await.until("idle suspension refused", () -> api.ok("GET", "/ember/v1/events", null).get("events").findValuesAsText("message")
                .stream().anyMatch(m -> m.contains("idle policy's suspension of " + idle) && m.contains("maxSuspendedMicrovms")));
        assertThat(api.ok("GET", "/2025-09-09/microvms/" + idle, null).get("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void secretsAndRolesAreTaggedByTheirOwnerOnly() {
        SigningHttpClient.Key a = tenantKey("tenant-a", null), b = tenantKey("tenant-b", null);
        api.http.use(a);
        String secretArn = api.ok("PUT", "/ember/v1/secrets/db-password", "{\"value\":\"hunter2\"}").get("arn").asText();
        String roleArn = api.ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"db-password\"]}").get("arn").asText();
        for (String arn : List.of(secretArn, roleArn)) {
            String path = "/2017-03-31/tags/" + java.net.URLEncoder.encode(arn, java.nio.charset.StandardCharsets.UTF_8);
            api.http.use(a);
            assertThat(api.send("POST", path, "{\"Tags\":{\"team\":\"search\"}}").statusCode()).isIn(200, 204);
            assertThat(api.ok("GET", path, null).get("Tags").get("team").asText()).isEqualTo("search");
            notFound(as(b, "GET", path, null));
            notFound(as(b, "POST", path, "{\"Tags\":{\"team\":\"b\"}}"));
            api.http.use(a);
            assertThat(api.ok("GET", path, null).get("Tags").get("team").asText()).isEqualTo("search");
        }
        // B's secret of the same name is B's own.
        api.http.use(b);
        api.ok("PUT", "/ember/v1/secrets/db-password", "{\"value\":\"other\"}");
        notFound(as(b, "GET", "/ember/v1/roles/app", null));
    }

    @Test
    void adminManagesTenantsWithTypedErrors() {
        api.http.use(admin);
        HttpResponse<String> bad = api.send("POST", "/ember/v1/tenants", "{\"name\":\"Not A Name\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        tenantKey("dup", null);
        assertThat(api.send("POST", "/ember/v1/tenants", "{\"name\":\"dup\"}").statusCode()).isEqualTo(409);
        HttpResponse<String> q = api.send("POST", "/ember/v1/tenants", "{\"name\":\"q\",\"quotas\":{\"maxVcpus\":1}}");
        assertThat(q.statusCode()).isEqualTo(400);
        assertThat(q.body()).contains("quotas.maxVcpus");
        JsonNode t = api.ok("PATCH", "/ember/v1/tenants/dup", "{\"quotas\":{\"maxRunningVcpus\":3}}");
        assertThat(t.get("quotas").get("maxRunningVcpus").asInt()).isEqualTo(3);
        assertThat(t.get("quotas").get("maxRunningMicrovms").asInt()).isPositive();
        api.ok("DELETE", "/ember/v1/tenants/dup", null);
        notFound(api.send("GET", "/ember/v1/tenants/dup", null));
        assertThat(api.send("DELETE", "/ember/v1/tenants/000000000000", null).statusCode()).isEqualTo(409);
    }
}
