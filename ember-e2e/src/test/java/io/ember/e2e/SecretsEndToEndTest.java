package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.ExecResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * Secrets by reference in a real microVM (docs/secrets.md): through exec's secretEnvironment and through the in-guest
 * metadata endpoint (169.254.169.254, served by the agent, answered by the host through the microVM's role at that
 * moment), never in describe, events, the server's log file or the data directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String value = "v-" + UUID.randomUUID() + "-Zq";
    private final String outside = "o-" + UUID.randomUUID() + "-Zq";
    private EmberTestServer server;
    private Path logFile;
    private FileAppender<ILoggingEvent> appender;
    private String id;

    @BeforeAll
    void boot() throws Exception {
        logFile = Files.createTempFile(Path.of("/tmp"), "ember-secrets-e2e-", ".log");
        startLogFile();
        server = EmberTestServer.start();
        ok("PUT", "/ember/v1/secrets/app/db-password", "{\"value\":\"" + value + "\",\"description\":\"e2e\"}");
        ok("PUT", "/ember/v1/secrets/other", "{\"value\":\"" + outside + "\"}");
        JsonNode role = ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"app/db-password\"]}");
        Rest.Answer run = Rest.postJson(server, "/2025-09-09/microvms",
                "{\"imageIdentifier\":\"busybox\",\"executionRoleArn\":\"" + role.get("arn").asText() + "\"}", Map.of());
        assertThat(run.status()).as(run.body().toString()).isEqualTo(200);
        id = run.body().get("microvmId").asText();
        server.client().waitUntilRunning(id, Duration.ofSeconds(180));
    }

    @AfterAll
    void shutdown() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
            ((Logger) LoggerFactory.getLogger("io.ember")).setLevel(null);
            appender.stop();
            Files.deleteIfExists(logFile);
        }
    }

    /** The server's log, as a file, at DEBUG for Ember's own loggers: what an operator would grep. */
    private void startLogFile() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d %-5level %logger: %msg%n%ex");
        enc.start();
        appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setFile(logFile.toString());
        appender.setEncoder(enc);
        appender.start();
        ((Logger) LoggerFactory.getLogger("io.ember")).setLevel(Level.DEBUG);
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    }

    @Test
    @Order(1)
    void aSecretReachesTheExecEnvironmentButNotDescribeEventsLogsOrDisk() throws Exception {
        HttpResponse<String> r = send("POST", "/ember/v1/microvms/" + id + "/exec",
                "{\"shell\":\"printf %s \\\"$DB_PASSWORD\\\"\",\"secretEnvironment\":{\"DB_PASSWORD\":\"app/db-password\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(stdout(r.body())).isEqualTo(value);

        HttpResponse<String> refused = send("POST", "/ember/v1/microvms/" + id + "/exec",
                "{\"shell\":\"env\",\"secretEnvironment\":{\"X\":\"other\"}}");
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode err = JSON.readTree(refused.body());
        assertThat(err.get("__type").asText()).isEqualTo("ValidationException");
        assertThat(err.get("message").asText()).contains("secretEnvironment.X").contains("not in the microVM's execution role");
        assertThat(refused.body()).doesNotContain(outside);

        assertNowhere(send("GET", "/2025-09-09/microvms/" + id, null).body(), "describe");
        assertNowhere(send("GET", "/ember/v1/microvms/" + id + "/events", null).body(), "events");
        assertNowhere(send("GET", "/ember/v1/secrets/app%2Fdb-password", null).body(), "GetSecret");
        assertNowhere(send("GET", "/ember/v1/secrets", null).body(), "ListSecrets");
        appender.stop(); // flushed
        String log = Files.readString(logFile);
        appender.start();
        assertThat(log).as("the server's log file").contains(id).doesNotContain(value).doesNotContain(outside);
        try (Stream<Path> files = Files.walk(server.dataDir())) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".qcow2")).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(value).doesNotContain(outside);
            }
        }
    }

    @Test
    @Order(2)
    void theAppReadsItsSecretsFromTheMetadataEndpointThroughTheRoleOfTheMoment() throws Exception {
        assertThat(metadata("/latest/secrets/app/db-password", true)).isEqualTo(value);
        assertThat(metadata("/latest/secrets/", true)).isEqualTo("app/db-password\n");
        String refused = metadata("/latest/secrets/other", true);
        assertThat(refused).contains("403").contains("not in this microVM's execution role").doesNotContain(outside);
        assertThat(metadata("/latest/secrets/app/db-password", false)).as("no SSRF guard header").contains("403")
                .doesNotContain(value);

        ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"app/db-password\",\"other\"]}"); // applies at once
        assertThat(metadata("/latest/secrets/other", true)).isEqualTo(outside);
        ok("PUT", "/ember/v1/roles/app", "{\"secrets\":[\"app/db-password\"]}");
        assertThat(metadata("/latest/secrets/other", true)).contains("403");
    }

    /** A resumed guest's agent ended its metadata stream at RESTORED: the host opens a new one (last: a snapshot holds guest memory). */
    @Test
    @Order(3)
    void theEndpointIsServedAgainAfterSuspendAndResume() throws Exception {
        Rest.suspend(server, id);
        Rest.resume(server, id);
        assertThat(metadata("/latest/secrets/app/db-password", true)).isEqualTo(value);
        ok("DELETE", "/ember/v1/secrets/app%2Fdb-password", null); // deleted: gone at once, role or not
        assertThat(metadata("/latest/secrets/app/db-password", true)).contains("404");
    }

    /** What a process in the guest gets from the endpoint: the body on 200, else "HTTP <status> <body>". */
    private String metadata(String path, boolean guardHeader) {
        String req = "GET " + path + " HTTP/1.1\\r\\nHost: 169.254.169.254\\r\\n"
                + (guardHeader ? "X-Ember-Metadata: true\\r\\n" : "") + "\\r\\n";
        // busybox nc: the request out, the answer back; the status line decides what the "app" prints.
        String script = "printf '" + req + "' | nc 169.254.169.254 80 > /tmp/answer; "
                + "status=$(head -n1 /tmp/answer | cut -d' ' -f2); body=$(sed '1,/^\\r$/d' /tmp/answer); "
                + "if [ \"$status\" = 200 ]; then sed '1,/^\\r$/d' /tmp/answer; else echo \"HTTP $status $body\"; fi";
        ExecResult r = server.client().execAndWait(id, io.ember.sdk.ExecRequest.shell(script));
        assertThat(r.exitCode()).as(r.stderrText()).isZero();
        if (r.stdoutText().equals("HTTP  \n")) {
            throw new AssertionError("nothing answers on 169.254.169.254:80 in the guest: the agent in "
                    + EmberTestServer.assetsDir() + " predates the metadata endpoint (rebuild the assets: bin/ember setup)");
        }
        return r.stdoutText();
    }

    private void assertNowhere(String text, String where) {
        assertThat(text).as(where).doesNotContain(value).doesNotContain(outside);
    }

    private static String stdout(String ndjson) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : ndjson.split("\n")) {
            if (line.isBlank()) continue;
            JsonNode e = JSON.readTree(line);
            if (e.get("type").asText().equals("stdout")) {
                out.append(new String(Base64.getDecoder().decode(e.get("data").asText()), StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    private JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        byte[] bytes = body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint() + path)).header("Content-Type", "application/json")
                .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        return HTTP.send(Rest.signed(server, b.build(), bytes), HttpResponse.BodyHandlers.ofString());
    }
}
