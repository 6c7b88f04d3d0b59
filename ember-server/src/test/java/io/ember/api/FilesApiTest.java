package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.testing.FakeAgent;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class FilesApiTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    ApiFixture api;
    String id;
    FakeAgent agent;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        id = api.running();
        agent = api.agents.of(id);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private String files(String suffix, String query) {
        return "/ember/v1/microvms/" + id + "/files" + suffix + "?" + query;
    }

    @Test
    void shouldStreamAnUploadIntoTheAgentWhileTheClientIsStillSending() throws Exception {
        CountDownLatch agentGotFirstMib = new CountDownLatch(1);
        agent.uploadProgress = n -> {
            if (n >= MIB) agentGotFirstMib.countDown();
        };
        long total = 20L * MIB + 123;
        byte[] chunk = new byte[MIB];
        java.util.Arrays.fill(chunk, (byte) 'z');
        // A raw socket, so "sent" means in the kernel: the JDK client may hold back what it has read.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.server.port())) {
            var out = s.getOutputStream();
            String target = files("", "path=big.bin&mode=0600");
            out.write(("PUT " + target + " HTTP/1.1\r\n" + io.ember.testing.SigningHttpClient.streamedHeaderLines("PUT", target, "x",
                    io.ember.testing.SigningHttpClient.Key.admin(api.dataDir)) + "Content-Length: " + total
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk);
            out.flush();
            // The server must hand the first MiB on before it has the other 19.
            assertThat(agentGotFirstMib.await(20, TimeUnit.SECONDS)).as("agent saw bytes before the body ended").isTrue();
            for (long sent = MIB; sent < total; sent += MIB) out.write(chunk, 0, (int) Math.min(MIB, total - sent));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200");
            JsonNode body = ApiFixture.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("path").asText()).isEqualTo("/workspace/big.bin");
            assertThat(body.get("size").asLong()).isEqualTo(total);
        }
        assertThat(agent.lastUploadSize).isEqualTo(20L * MIB + 123);
    }

    @Test
    void shouldStreamADownload() throws Exception {
        long size = 20L * MIB + 7;
        agent.files.put("/workspace/out.bin", new FakeAgent.Content(null, size));
        HttpResponse<InputStream> r = api.http.send(HttpRequest.newBuilder(api.uri(files("", "path=out.bin"))).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/octet-stream");
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        MessageDigest want = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[65_536];
            for (int k; (k = in.read(buf)) > 0; n += k) got.update(buf, 0, k);
        }
        for (long i = 0; i < size; i++) want.update((byte) (i % 251));
        assertThat(n).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(want.digest()));

        agent.files.put("/workspace/empty", new FakeAgent.Content(new byte[0], 0));
        HttpResponse<String> empty = api.send("GET", files("", "path=/workspace/empty"), null);
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
    }

    @Test
    void shouldStatListMakeAndRemove() {
        api.ok("POST", "/ember/v1/microvms/" + id + "/files/mkdir", "{\"path\":\"a/b\",\"parents\":true}");
        api.send(HttpRequest.newBuilder(api.uri(files("", "path=a/note.txt")))
                .PUT(HttpRequest.BodyPublishers.ofString("hello")).build());
        assertThat(api.send("GET", files("", "path=a/note.txt"), null).body()).isEqualTo("hello");

        JsonNode stat = api.ok("GET", files("/stat", "path=/workspace/a"), null);
        assertThat(stat.get("path").asText()).isEqualTo("/workspace/a");
        assertThat(stat.get("type").asText()).isEqualTo("directory");
        assertThat(stat.get("mode").asInt()).isEqualTo(0755);
        assertThat(stat.get("modifiedAt").decimalValue()).isEqualByComparingTo("1767225600.5");

        JsonNode list = api.ok("GET", files("/list", "path=a"), null);
        assertThat(list.get("entries")).extracting(e -> e.get("name").asText() + ":" + e.get("type").asText())
                .containsExactlyInAnyOrder("b:directory", "note.txt:file");
        assertThat(list.get("entries").get(0).has("size")).isTrue();

        HttpResponse<String> notEmpty = api.send("DELETE", files("", "path=a"), null);
        assertThat(notEmpty.statusCode()).isEqualTo(400);
        assertThat(notEmpty.headers().firstValue("X-Amzn-ErrorType")).contains("ValidationException");
        api.ok("DELETE", files("", "path=a&recursive=true"), null);
        assertThat(agent.dirs).doesNotContain("/workspace/a", "/workspace/a/b");
    }

    @Test
    void shouldMapGuestErrorsToTypedErrors() {
        HttpResponse<String> missing = api.send("GET", files("", "path=nope.txt"), null);
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode body = ApiFixture.json(missing);
        assertThat(body.get("__type").asText()).isEqualTo("ResourceNotFoundException");
        assertThat(body.get("resourceType").asText()).isEqualTo("File");
        assertThat(body.get("resourceId").asText()).isEqualTo("/workspace/nope.txt");

        assertThat(api.send("GET", files("", "path=/workspace"), null).statusCode()).isEqualTo(400); // EISDIR
        HttpResponse<String> put = api.send(HttpRequest.newBuilder(api.uri(files("", "path=/no/such/dir/f")))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(put.statusCode()).isEqualTo(404);
        assertThat(api.send("GET", files("/stat", ""), null).statusCode()).isEqualTo(400);
        assertThat(ApiFixture.json(api.send("GET", files("/stat", ""), null)).get("message").asText())
                .isEqualTo("path is required");
        assertThat(api.send("GET", files("", "path=a%00b"), null).statusCode()).isEqualTo(400);
        assertThat(api.send(HttpRequest.newBuilder(api.uri(files("", "path=f&mode=999")))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode()).isEqualTo(400);
        assertThat(api.send("DELETE", files("", "path=/"), null).statusCode()).isEqualTo(400);
        assertThat(api.send("DELETE", files("", "path=x&recursive=maybe"), null).statusCode()).isEqualTo(400);
        assertThat(api.send("POST", "/ember/v1/microvms/" + id + "/files/mkdir", "{\"parents\":true}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void shouldRefuseToRemoveTheRootWhateverItsSpelling() {
        agent.files.put("/workspace/keep", new FakeAgent.Content(new byte[] {1}, 0));
        for (String root : new String[] {"/workspace/../", "/./", "..", "/tmp/..//"}) {
            HttpResponse<String> r = api.send("DELETE", files("", "recursive=true&path="
                    + java.net.URLEncoder.encode(root, StandardCharsets.UTF_8)), null);
            assertThat(r.statusCode()).as(root + ": " + r.body()).isEqualTo(400);
            assertThat(ApiFixture.json(r).get("message").asText()).isEqualTo("path must not be the root directory");
        }
        assertThat(agent.files).containsKey("/workspace/keep");
        assertThat(agent.dirs).contains("/", "/workspace", "/tmp");
    }

    @Test
    void shouldAnswerAFailedSmallDownloadWithOnlyTheError() {
        agent.files.put("/workspace/small", new FakeAgent.Content("partial bytes".getBytes(StandardCharsets.UTF_8), 0));
        agent.readFailure = new io.ember.agent.AgentException(5, "read /workspace/small: Input/output error");
        HttpResponse<String> r = api.send("GET", files("", "path=small"), null);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).doesNotContain("partial bytes");
        assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo("InternalServerException");
    }

    @Test
    void shouldFailTheVmWhenTheChannelBreaksDuringAFileCall() {
        agent.breakChannel("EOF on the agent channel");
        HttpResponse<String> r = api.send("GET", files("/stat", "path=x"), null);
        // Either the call saw the broken channel (409) or the VM was already terminated (409 too).
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(r.headers().firstValue("X-Amzn-ErrorType")).contains("ConflictException");
        io.ember.testing.Await.until("TERMINATED", () ->
                api.ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText().equals("TERMINATED"));
        assertThat(api.ok("GET", "/2025-09-09/microvms/" + id, null).get("stateReason").asText())
                .isEqualTo("Agent channel failed: EOF on the agent channel");
    }
}
