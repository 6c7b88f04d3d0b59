package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.testing.Await;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class MicrovmApiTest {
    @TempDir
    Path dir;
    ApiFixture api;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void shouldRunGetAndTerminateWithTheModelsShapes() {
        api.ok("PUT", "/ember/v1/roles/x", "{\"secrets\":[]}"); // executionRoleArn must name an existing role
        api.agents.helloGate = new CountDownLatch(1);
        JsonNode run = api.ok("POST", "/2025-09-09/microvms", """
                {"imageIdentifier":"arn:aws:lambda:local:aws:microvm-image/busybox","imageVersion":"1",
                 "maximumDurationInSeconds":600,"executionRoleArn":"arn:aws:iam::000000000000:role/x",
                 "idlePolicy":{"maxIdleDurationSeconds":300,"suspendedDurationSeconds":3600,"autoResumeEnabled":true},
                 "clientToken":"c-1","someFutureField":{"x":1}}""");
        String id = run.get("microvmId").asText();
        assertThat(id).matches("mvm-[0-9a-f]{24}");
        assertThat(run.get("state").asText()).isEqualTo("PENDING");
        // asked by Ember's older ARN form, answered in AWS's form in the server's region (docs/api.md, "ARNs")
        assertThat(run.get("imageArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:aws:microvm-image:busybox");
        assertThat(run.get("imageVersion").asText()).isEqualTo("1.0");
        assertThat(run.get("maximumDurationInSeconds").asInt()).isEqualTo(600);
        assertThat(run.get("startedAt").isNumber()).isTrue();
        assertThat(run.get("startedAt").asDouble()).isCloseTo(System.currentTimeMillis() / 1000.0,
                org.assertj.core.data.Offset.offset(60.0));
        assertThat(run.get("endpoint").asText()).isEqualTo("http://127.0.0.1:" + api.server.endpointPort() + "/" + id);
        assertThat(run.get("idlePolicy").get("suspendedDurationSeconds").asInt()).isEqualTo(3600);
        assertThat(run.get("executionRoleArn").asText()).isEqualTo("arn:aws:iam::000000000000:role/x");
        assertThat(run.has("terminatedAt")).isFalse();

        api.agents.helloGate.countDown();
        Await.until("RUNNING", () -> api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText().equals("RUNNING"));

        String arn = URLEncoder.encode("arn:aws:lambda:us-east-1:000000000000:microvm:" + id, StandardCharsets.UTF_8);
        assertThat(api.ok("GET", "/2025-09-09/microvms/" + arn, null).get("microvmId").asText()).isEqualTo(id);

        assertThat(api.ok("DELETE", "/2025-09-09/microvms/" + id, null).size()).isZero();
        JsonNode end = api.ok("GET", "/2025-09-09/microvms/" + id, null);
        assertThat(end.get("state").asText()).isEqualTo("TERMINATED");
        assertThat(end.get("stateReason").asText()).isEqualTo("Terminated by user");
        assertThat(end.get("terminatedAt").isNumber()).isTrue();
        assertThat(api.ok("DELETE", "/2025-09-09/microvms/" + arn, null).size()).as("idempotent").isZero();
    }

    @Test
    void shouldPageThroughEveryMicrovmOnceWithOpaqueTokens() {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}").get("microvmId").asText());
        }
        created.add(api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"debian\"}").get("microvmId").asText());
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = api.ok("GET", "/2025-09-09/microvms?maxResults=2"
                    + (token == null ? "" : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null);
            page.get("items").forEach(i -> {
                seen.add(i.get("microvmId").asText());
                assertThat(i.get("startedAt").isNumber()).isTrue();
                assertThat(i.has("state") && i.has("imageArn") && i.has("imageVersion")).isTrue();
            });
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            token = page.has("nextToken") ? page.get("nextToken").asText() : null;
            pages++;
        } while (token != null);
        assertThat(seen).hasSize(6).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(created);
        assertThat(pages).isEqualTo(3);

        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).hasSize(6);
        assertThat(api.ok("GET", "/2025-09-09/microvms?imageIdentifier=debian", null).get("items")).hasSize(1);
        assertThat(api.ok("GET", "/2025-09-09/microvms?imageIdentifier=busybox&imageVersion=1", null).get("items")).hasSize(5);
        assertThat(api.ok("GET", "/2025-09-09/microvms?imageIdentifier=nothing", null).get("items")).isEmpty();
    }

    @Test
    void shouldListManagedImagesAndTheirVersions() {
        JsonNode images = api.ok("GET", "/2025-09-09/managed-microvm-images", null);
        assertThat(images.get("items")).extracting(n -> n.get("imageArn").asText()).containsExactly(
                "arn:aws:lambda:us-east-1:aws:microvm-image:busybox", "arn:aws:lambda:us-east-1:aws:microvm-image:debian");
        assertThat(images.get("items").get(0).get("createdAt").asDouble()).isEqualTo(1767225600.0);

        JsonNode first = api.ok("GET", "/2025-09-09/managed-microvm-images?maxResults=1", null);
        assertThat(first.get("items")).hasSize(1);
        JsonNode second = api.ok("GET", "/2025-09-09/managed-microvm-images?maxResults=1&nextToken="
                + first.get("nextToken").asText(), null);
        assertThat(second.get("items").get(0).get("imageArn").asText()).endsWith(":debian");
        assertThat(second.has("nextToken")).isFalse();

        String arn = URLEncoder.encode("arn:aws:lambda:us-east-1:aws:microvm-image:debian", StandardCharsets.UTF_8);
        JsonNode versions = api.ok("GET", "/2025-09-09/managed-microvm-images/" + arn + "/versions", null);
        assertThat(versions.get("items")).hasSize(1);
        JsonNode v = versions.get("items").get(0);
        assertThat(v.get("imageVersion").asText()).isEqualTo("1.0");
        assertThat(v.get("status").asText()).isEqualTo("AVAILABLE");
        assertThat(v.get("createdAt").isNumber()).isTrue();
    }

    @Test
    void shouldServeHealth() {
        JsonNode h = api.ok("GET", "/ember/v1/health", null);
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("version").asText()).isEqualTo("0.1.0");
        assertThat(h.get("region").asText()).isEqualTo("us-east-1");
    }
}
