package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.ember.agent.ExecRequest;
import io.ember.agent.MetadataService;
import io.ember.testing.Await;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Secrets, roles, RunMicrovm's executionRoleArn, exec's secretEnvironment and the metadata wiring, over HTTP. */
class SecretsApiTest {
    static final String VALUE = "s3cr3t-V4lue-\u00e9";
    static final String ROLE = "arn:aws:iam::000000000000:role/app";
    @TempDir Path dir;
    ApiFixture api;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.ember")).setLevel(Level.TRACE); // every line Ember could write, checked below
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        api = new ApiFixture(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("io.ember")).setLevel(null);
        // The value never reached a log line (nor an argument of one), nor the database file in clear.
        assertThat(logs.list).as("the server's log was captured").isNotEmpty();
        assertThat(logs.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).contains("s3cr3t"));
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("s3cr3t");
            }
        }
    }

    private static String put(String value) {
        return "{\"value\":\"" + value + "\",\"description\":\"d\"}";
    }

    private void assertError(HttpResponse<String> r, int status, String type, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode b = ApiFixture.json(r);
        assertThat(b.get("__type").asText()).isEqualTo(type);
        assertThat(b.get("message").asText()).contains(messagePart);
        assertThat(r.body()).doesNotContain("s3cr3t");
    }

    @Test
    void secretsAreWriteOnlyAndPaged() {
        JsonNode s = api.ok("PUT", "/ember/v1/secrets/app/db-password", put(VALUE));
        assertThat(s.get("name").asText()).isEqualTo("app/db-password");
        assertThat(s.get("arn").asText()).isEqualTo("arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-password");
        assertThat(s.get("description").asText()).isEqualTo("d");
        assertThat(s.get("createdAt").isNumber()).isTrue();
        assertThat(s.has("value")).isFalse();
        assertThat(s.toString()).doesNotContain("s3cr3t");
        assertThat(api.ok("GET", "/ember/v1/secrets/app%2Fdb-password", null).get("name").asText()).isEqualTo("app/db-password");
        JsonNode replaced = api.ok("PUT", "/ember/v1/secrets/app/db-password", "{\"value\":\"s3cr3t-2\"}");
        assertThat(replaced.get("createdAt")).isEqualTo(s.get("createdAt"));
        assertThat(replaced.has("description")).isFalse();
        api.ok("PUT", "/ember/v1/secrets/b", put("s3cr3t-b"));
        api.ok("PUT", "/ember/v1/secrets/c", put("s3cr3t-c"));

        JsonNode page1 = api.ok("GET", "/ember/v1/secrets?maxResults=2", null);
        assertThat(page1.get("secrets")).extracting(n -> n.get("name").asText()).containsExactly("app/db-password", "b");
        JsonNode page2 = api.ok("GET", "/ember/v1/secrets?maxResults=2&nextToken=" + page1.get("nextToken").asText(), null);
        assertThat(page2.get("secrets")).extracting(n -> n.get("name").asText()).containsExactly("c");
        assertThat(page2.has("nextToken")).isFalse();
        assertThat(page1.toString() + page2).doesNotContain("s3cr3t");

        assertThat(api.ok("DELETE", "/ember/v1/secrets/b", null).size()).isZero();
        assertError(api.send("GET", "/ember/v1/secrets/b", null), 404, "ResourceNotFoundException", "secret b not found");
        assertError(api.send("DELETE", "/ember/v1/secrets/b", null), 404, "ResourceNotFoundException", "not found");
        assertError(api.send("PUT", "/ember/v1/secrets/a%20b", put(VALUE)), 400, "ValidationException", "secret name");
        assertError(api.send("PUT", "/ember/v1/secrets/x", "{}"), 400, "ValidationException", "value is required");
        assertError(api.send("PUT", "/ember/v1/secrets/x", "{\"value\":\"" + "v".repeat(65_537) + "\"}"), 400,
                "ValidationException", "value must be at most");
        assertError(api.send("GET", "/ember/v1/secrets?nextToken=bogus", null), 400, "ValidationException", "nextToken");
    }

    @Test
    void rolesNameExistingSecretsAndRunChecksTheRole() {
        assertError(api.send("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"missing\"]}"), 400, "ValidationException",
                "secret 'missing' does not exist");
        assertError(api.send("PUT", "/ember/v1/roles/app", "{}"), 400, "ValidationException", "secrets is required");
        api.ok("PUT", "/ember/v1/secrets/in", put(VALUE));
        JsonNode role = api.ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"in\"],\"description\":\"the app\"}");
        assertThat(role.get("arn").asText()).isEqualTo(ROLE);
        assertThat(role.get("secrets")).extracting(JsonNode::asText).containsExactly("in");
        assertThat(api.ok("GET", "/ember/v1/roles/app", null).get("description").asText()).isEqualTo("the app");
        assertThat(api.ok("GET", "/ember/v1/roles", null).get("roles")).hasSize(1);

        assertError(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"executionRoleArn\":\"arn:aws:iam::000000000000:role/nope\"}"),
                404, "ResourceNotFoundException", "execution role arn:aws:iam::000000000000:role/nope not found");
        assertError(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"executionRoleArn\":\"arn:aws:iam::111111111111:role/app\"}"),
                404, "ResourceNotFoundException", "not found");
        assertError(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"executionRoleArn\":\"my-role\"}"),
                400, "ValidationException", "not an Ember role ARN");
        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).as("nothing half-started").isEmpty();

        assertThat(api.ok("DELETE", "/ember/v1/roles/app", null).size()).isZero();
        assertError(api.send("GET", "/ember/v1/roles/app", null), 404, "ResourceNotFoundException", "role app not found");
    }

    private String runWithRole() {
        String id = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"executionRoleArn\":\"" + ROLE + "\"}")
                .get("microvmId").asText();
        Await.until("RUNNING", () -> api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText().equals("RUNNING"));
        return id;
    }

    @Test
    void execResolvesReferencesThroughTheRoleAtTheMomentOfUse() {
        api.ok("PUT", "/ember/v1/secrets/in", put(VALUE));
        api.ok("PUT", "/ember/v1/secrets/out", put("s3cr3t-out"));
        api.ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"in\"]}");
        String id = runWithRole();

        HttpResponse<String> ok = api.send("POST", "/ember/v1/microvms/" + id + "/exec",
                "{\"command\":[\"env\"],\"env\":{\"A\":\"1\"},\"secretEnvironment\":{\"DB_PASSWORD\":\"in\"}}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).doesNotContain("s3cr3t");
        ExecRequest req = api.agents.of(id).execs.getLast();
        assertThat(req.env()).containsEntry("DB_PASSWORD", VALUE).containsEntry("A", "1").containsEntry("PATH",
                ExecCall.DEFAULT_ENV.get("PATH"));

        assertError(api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"env\"],\"secretEnvironment\":{\"X\":\"out\"}}"),
                400, "ValidationException", "secretEnvironment.X (secret 'out'): the secret is not in the microVM's execution role");
        assertError(api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"env\"],\"secretEnvironment\":{\"Y\":\"nope\"}}"),
                400, "ValidationException", "secretEnvironment.Y");
        assertError(api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"env\"],\"env\":{\"X\":\"1\"},\"secretEnvironment\":{\"X\":\"in\"}}"),
                400, "ValidationException", "X is in both env and secretEnvironment");
        int before = api.agents.of(id).execs.size();
        api.ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"in\",\"out\"]}"); // applies to the running microVM at once
        assertThat(api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"env\"],\"secretEnvironment\":{\"X\":\"out\"}}")
                .statusCode()).isEqualTo(200);
        assertThat(api.agents.of(id).execs).hasSize(before + 1);
        assertThat(api.agents.of(id).execs.getLast().env()).containsEntry("X", "s3cr3t-out");

        String describe = api.ok("GET", "/2025-09-09/microvms/" + id, null).toString();
        assertThat(describe).contains(ROLE).doesNotContain("s3cr3t");
        assertThat(api.ok("GET", "/ember/v1/microvms/" + id + "/events", null).toString()).doesNotContain("s3cr3t");

        String bare = api.running(); // no role at all
        assertError(api.send("POST", "/ember/v1/microvms/" + bare + "/exec", "{\"command\":[\"env\"],\"secretEnvironment\":{\"X\":\"in\"}}"),
                400, "ValidationException", "the microVM has no execution role");
    }

    @Test
    void theGuestsMetadataEndpointIsServedThroughTheMicrovmsRole() {
        api.ok("PUT", "/ember/v1/secrets/in", put(VALUE));
        api.ok("PUT", "/ember/v1/secrets/out", put("s3cr3t-out"));
        api.ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"in\"]}");
        String id = runWithRole();
        MetadataService m = api.agents.of(id).metadata;
        assertThat(m).as("the server wired the agent's metadata endpoint").isNotNull();
        assertThat(new String(m.answer("in").value(), StandardCharsets.UTF_8)).isEqualTo(VALUE);
        assertThat(m.answer(null).names()).containsExactly("in");
        assertThat(m.answer("out").status()).isEqualTo(403);
        api.ok("DELETE", "/ember/v1/secrets/in", null);
        assertThat(m.answer("in").status()).isEqualTo(404);

        MetadataService none = api.agents.of(api.running()).metadata;
        assertThat(none.answer("out").status()).isEqualTo(404);
    }
}
