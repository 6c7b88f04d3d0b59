package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.testing.Await;
import io.ember.testing.FakeExecStream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class ExecApiTest {
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

    private HttpResponse<InputStream> open(String id, String body) throws Exception {
        return api.http.send(HttpRequest.newBuilder(api.uri("/ember/v1/microvms/" + id + "/exec"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static JsonNode line(BufferedReader r) throws Exception {
        String l;
        do {
            l = r.readLine();
        } while (l != null && l.isEmpty());
        return l == null ? null : ApiFixture.JSON.readTree(l);
    }

    private static String data(JsonNode n) {
        return new String(Base64.getDecoder().decode(n.get("data").asText()), StandardCharsets.UTF_8);
    }

    @Test
    void shouldStreamEachEventBeforeTheProcessEnds() throws Exception {
        FakeExecStream process = FakeExecStream.of(new ExecEvent.Started(42),
                new ExecEvent.Stdout("first\n".getBytes(StandardCharsets.UTF_8)));
        api.agents.execHandler = req -> process;
        String id = api.running();

        HttpResponse<InputStream> r = open(id, "{\"command\":[\"long-job\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(line(lines).toString()).isEqualTo("{\"type\":\"started\",\"pid\":42}");
            JsonNode first = line(lines);
            assertThat(first.get("type").asText()).isEqualTo("stdout");
            assertThat(data(first)).isEqualTo("first\n");
            // Both lines arrived while the process has not even produced its exit yet.
            assertThat(process.isClosed()).isFalse();

            process.events.add(new ExecEvent.Stderr("oops\n".getBytes(StandardCharsets.UTF_8)));
            process.events.add(new ExecEvent.Exit(-1, 9, true));
            assertThat(data(line(lines))).isEqualTo("oops\n");
            assertThat(line(lines).toString()).isEqualTo("{\"type\":\"exit\",\"exitCode\":-1,\"signal\":9,\"timedOut\":true}");
            assertThat(lines.readLine()).isNull();
        }
        Await.until("stream closed", process::isClosed);
    }

    @Test
    void shouldPullOutputOnlyAsFastAsTheClientReads() throws Exception {
        FakeExecStream process = new FakeExecStream();
        byte[] chunk = new byte[65_536];
        process.generator = () -> new ExecEvent.Stdout(chunk);
        api.agents.execHandler = req -> process;
        String id = api.running();

        HttpResponse<InputStream> r = open(id, "{\"shell\":\"yes\"}");
        long[] samples = new long[2];
        Await.until("the server to block on the unread connection", () -> {
            samples[0] = process.pulled.get();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            samples[1] = process.pulled.get();
            return samples[0] > 0 && samples[0] == samples[1];
        });
        // Without back-pressure the server would pull without end; here it stops at socket buffers.
        assertThat(samples[1] * chunk.length).isLessThan(64L << 20);

        InputStream body = r.body();
        body.readNBytes(8 << 20);
        Await.until("more pulled once the client reads", () -> process.pulled.get() > samples[1]);
        body.close();
        Await.until("the process killed after the client went away", process::isClosed);
    }

    @Test
    void shouldKillTheProcessWhenTheClientDisconnects() throws Exception {
        FakeExecStream process = new FakeExecStream();
        process.generator = () -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ExecEvent.Stdout("tick\n".getBytes(StandardCharsets.UTF_8));
        };
        api.agents.execHandler = req -> process;
        String id = api.running();
        HttpResponse<InputStream> r = open(id, "{\"command\":[\"ticker\"]}");
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(line(lines).get("type").asText()).isEqualTo("stdout");
        lines.close();
        Await.until("the process killed", process::isClosed);
    }

    @Test
    void shouldEndWithAnErrorLineAndFailTheVmWhenTheChannelBreaks() throws Exception {
        FakeExecStream process = FakeExecStream.of(new ExecEvent.Started(5));
        api.agents.execHandler = req -> process;
        String id = api.running();
        process.events.add(new AgentException("agent protocol violation: unknown frame type 0x42", true, null));
        HttpResponse<String> r = api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"x\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        String[] lines = r.body().split("\n");
        JsonNode last = ApiFixture.JSON.readTree(lines[lines.length - 1]);
        assertThat(last.get("type").asText()).isEqualTo("error");
        assertThat(last.get("errorType").asText()).isEqualTo("ConflictException");
        assertThat(last.get("message").asText()).contains("unknown frame type 0x42");
        JsonNode vm = api.ok("GET", "/2025-09-09/microvms/" + id, null);
        assertThat(vm.get("state").asText()).isEqualTo("TERMINATED");
        assertThat(vm.get("stateReason").asText()).isEqualTo("Agent protocol violation: unknown frame type 0x42");
    }

    @Test
    void shouldFeedStdinAndPassTheDocumentedEnvironment() throws Exception {
        String id = api.running();
        String stdin = Base64.getEncoder().encodeToString("hello stdin".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = api.send("POST", "/ember/v1/microvms/" + id + "/exec",
                "{\"command\":[\"cat\"],\"stdin\":\"" + stdin + "\",\"env\":{\"A\":\"1\",\"HOME\":\"/home/x\"},"
                        + "\"workingDirectory\":\"sub\",\"timeoutSeconds\":5}");
        assertThat(r.statusCode()).isEqualTo(200);
        String[] lines = r.body().split("\n");
        assertThat(data(ApiFixture.JSON.readTree(lines[1]))).isEqualTo("hello stdin");
        assertThat(ApiFixture.JSON.readTree(lines[2]).get("exitCode").asInt()).isZero();

        ExecRequest req = api.agents.of(id).execs.getFirst();
        assertThat(req.argv()).containsExactly("cat");
        assertThat(req.stdin()).isTrue();
        assertThat(req.cwd()).isEqualTo("/workspace/sub");
        assertThat(req.timeout()).hasSeconds(5);
        assertThat(req.env()).containsEntry("A", "1").containsEntry("HOME", "/home/x").containsEntry("TERM", "xterm")
                .containsEntry("LANG", "C.UTF-8").containsKey("PATH");

        api.ok("POST", "/ember/v1/microvms/" + id + "/exec", "{\"shell\":\"echo hi | tr a-z A-Z\"}");
        ExecRequest shell = api.agents.of(id).execs.get(1);
        assertThat(shell.argv()).containsExactly("/bin/sh", "-c", "echo hi | tr a-z A-Z");
        assertThat(shell.timeout()).hasSeconds(3600);
        assertThat(shell.stdin()).isFalse();
    }

    @Test
    void shouldWaitForAPendingVmAndRefuseATerminatedOne() throws Exception {
        api.agents.helloGate = new CountDownLatch(1);
        String id = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}").get("microvmId").asText();
        CompletableFuture<HttpResponse<String>> pending = api.http.sendAsync(
                HttpRequest.newBuilder(api.uri("/ember/v1/microvms/" + id + "/exec"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"command\":[\"echo\",\"late\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertThat(pending).isNotDone();
        api.agents.helloGate.countDown();
        assertThat(pending.get().body()).contains(Base64.getEncoder().encodeToString("late\n".getBytes(StandardCharsets.UTF_8)));

        api.ok("DELETE", "/2025-09-09/microvms/" + id, null);
        HttpResponse<String> refused = api.send("POST", "/ember/v1/microvms/" + id + "/exec", "{\"command\":[\"true\"]}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("X-Amzn-ErrorType")).contains("ConflictException");
        assertThat(ApiFixture.json(refused).get("message").asText()).contains("TERMINATED");
        assertThat(api.send("POST", "/ember/v1/microvms/mvm-000000000000000000000000/exec", "{\"command\":[\"true\"]}")
                .statusCode()).isEqualTo(404);
    }
}
