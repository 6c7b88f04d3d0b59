package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.testing.Await;
import io.ember.testing.SigningHttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /ember/v1/shutdown: every tenant's microVMs end, not only the admin's, and nothing new starts after it. */
class ShutdownApiTest {
    @TempDir Path dir;
    ApiFixture api;
    SigningHttpClient.Key admin;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        admin = SigningHttpClient.Key.admin(api.dataDir);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private SigningHttpClient.Key tenantKey(String name) {
        api.http.use(admin);
        String tenantId = api.ok("POST", "/ember/v1/tenants", "{\"name\":\"" + name + "\"}").get("tenantId").asText();
        JsonNode k = api.ok("POST", "/ember/v1/tenants/" + tenantId + "/access-keys", null);
        return new SigningHttpClient.Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText());
    }

    private String runningAs(SigningHttpClient.Key key) {
        api.http.use(key);
        return api.running();
    }

    private String state(SigningHttpClient.Key key, String id) {
        api.http.use(key);
        return api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText();
    }

    @Test
    void theAdminsShutdownTerminatesEveryTenantsMicrovmsAndRefusesNewWork() {
        SigningHttpClient.Key a = tenantKey("tenant-a"), b = tenantKey("tenant-b");
        String ofA = runningAs(a), ofB = runningAs(b), ofAdmin = runningAs(admin);

        // A tenant may not stop the server.
        api.http.use(a);
        HttpResponse<String> denied = api.send("POST", ShutdownRoutes.PATH, null);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(ApiFixture.json(denied).get("__type").asText()).isEqualTo("AccessDeniedException");
        assertThat(state(a, ofA)).isEqualTo("RUNNING");
        api.http.use(a);
        assertThat(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}").statusCode())
                .as("a refused shutdown changes nothing").isEqualTo(200);

        api.http.use(admin);
        JsonNode out = api.ok("POST", ShutdownRoutes.PATH, null);
        assertThat(out.get("terminatedMicrovmIds")).extracting(JsonNode::asText).contains(ofA, ofB, ofAdmin);
        assertThat(out.get("failedMicrovmIds")).isEmpty();
        for (var vm : new Object[][] {{a, ofA}, {b, ofB}, {admin, ofAdmin}}) {
            assertThat(state((SigningHttpClient.Key) vm[0], (String) vm[1])).isEqualTo("TERMINATED");
        }
        Await.until("every fake VMM stopped", () -> api.driver.launched.stream()
                .allMatch(s -> api.driver.vm(s.vmId()) == null || api.driver.vm(s.vmId()).terminateCalls.get() > 0));

        // Nothing starts between this call and the signal that stops the process; reads still answer.
        api.http.use(b);
        HttpResponse<String> refused = api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(ApiFixture.json(refused).get("__type").asText()).isEqualTo("ServiceUnavailableException");
        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).isNotEmpty();
    }
}
