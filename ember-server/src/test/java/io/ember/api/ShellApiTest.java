package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.Terminal;
import io.ember.testing.FakeAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shell WebSocket over fake machines: what is refused before the upgrade, and what crosses the socket. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShellApiTest {
    @TempDir
    Path dir;
    ApiFixture api;
    final BlockingQueue<Shell> shells = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        api.agents.execHandler = r -> {
            Shell s = new Shell(r);
            shells.add(s);
            return s;
        };
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    /** A process on a terminal that echoes its input, as the terminal would, and ends when the test says. */
    static final class Shell implements ExecStream {
        final ExecRequest request;
        final BlockingQueue<ExecEvent> events = new LinkedBlockingQueue<>(List.of(new ExecEvent.Started(9)));
        final List<Terminal> resizes = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        Shell(ExecRequest request) {
            this.request = request;
        }

        @Override public ExecEvent next(Duration timeout) throws InterruptedException {
            return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        @Override public void writeStdin(byte[] data, int off, int len) {
            events.add(new ExecEvent.Stdout(java.util.Arrays.copyOfRange(data, off, off + len)));
        }
        @Override public void closeStdin() {}
        @Override public void signal(int signo) {}
        @Override public void resize(int rows, int cols) {
            resizes.add(new Terminal(rows, cols));
            events.add(new ExecEvent.Stdout(("[resized " + rows + "x" + cols + "]").getBytes(StandardCharsets.UTF_8)));
        }
        @Override public void close() {
            closed.countDown();
        }
    }

    /** What a client saw: binary output, text messages, and how the socket closed. */
    static final class Client implements WebSocket.Listener {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final StringBuilder text = new StringBuilder();

        @Override public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            synchronized (output) {
                while (data.hasRemaining()) output.write(data.get());
            }
            ws.request(1);
            return null;
        }
        @Override public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
        @Override public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closeCode.complete(code);
            return null;
        }
        @Override public void onError(WebSocket ws, Throwable error) {
            closeCode.completeExceptionally(error);
        }

        String output() {
            synchronized (output) {
                return output.toString(StandardCharsets.UTF_8);
            }
        }

        void awaitOutput(String want) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!output().contains(want)) {
                if (System.nanoTime() > deadline) throw new AssertionError("no " + want + " in " + output());
                Thread.sleep(10);
            }
        }
    }

    String shellToken(String id) {
        return api.ok("POST", "/2025-09-09/microvms/" + id + "/shell-auth-token", "{\"expirationInMinutes\":5}")
                .get("authToken").get("X-aws-proxy-auth").asText();
    }

    URI wsUri(String id, String query) {
        return URI.create("ws://127.0.0.1:" + api.server.port() + "/ember/v1/microvms/" + id + "/shell" + query);
    }

    WebSocket open(String id, String query, String token, Client client) throws Exception {
        return api.http.newWebSocketBuilder().header("X-aws-proxy-auth", token).buildAsync(wsUri(id, query), client)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void shell_relaysKeystrokesOutputResizesAndTheExitStatus() throws Exception {
        String id = api.runningWithShell();
        Client client = new Client();
        WebSocket ws = open(id, "?rows=30&cols=100", shellToken(id), client);
        Shell shell = shells.poll(10, TimeUnit.SECONDS);
        assertThat(shell.request.argv()).containsExactly("/bin/sh", "-l"); // busybox: no /bin/bash
        assertThat(shell.request.terminal()).isEqualTo(new Terminal(30, 100));
        assertThat(shell.request.env()).containsEntry("TERM", "xterm-256color").containsKey("PATH");
        assertThat(shell.request.cwd()).isEqualTo("/workspace");
        assertThat(shell.request.user()).isNull();

        ws.sendBinary(ByteBuffer.wrap("echo hi\r".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
        client.awaitOutput("echo hi\r");
        ws.sendText("{\"type\":\"resize\",\"rows\":50,\"cols\":132}", true).get(5, TimeUnit.SECONDS);
        client.awaitOutput("[resized 50x132]");
        assertThat(shell.resizes).containsExactly(new Terminal(50, 132));

        shell.events.add(new ExecEvent.Exit(7, 0, false));
        JsonNode exit = ApiFixture.JSON.readTree(client.texts.poll(10, TimeUnit.SECONDS));
        assertThat(exit.get("type").asText()).isEqualTo("exit");
        assertThat(exit.get("exitCode").asInt()).isEqualTo(7);
        assertThat(exit.get("signal").asInt()).isZero();
        assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void shell_prefersBash_andRunsAGivenCommandWithSh() throws Exception {
        String id = api.runningWithShell();
        api.agents.of(id).files.put("/bin/bash", new FakeAgent.Content(new byte[0], 0));
        String token = shellToken(id);
        open(id, "", token, new Client()).abort();
        Shell bash = shells.poll(10, TimeUnit.SECONDS);
        assertThat(bash.request.argv()).containsExactly("/bin/bash", "-l");
        assertThat(bash.request.terminal()).isEqualTo(new Terminal(24, 80));
        open(id, "?command=" + java.net.URLEncoder.encode("top -b; exit 3", StandardCharsets.UTF_8), token, new Client()).abort();
        assertThat(shells.poll(10, TimeUnit.SECONDS).request.argv()).containsExactly("/bin/sh", "-c", "top -b; exit 3");
    }

    @Test
    void closingTheSocket_killsTheProcess() throws Exception {
        String id = api.runningWithShell();
        WebSocket ws = open(id, "", shellToken(id), new Client());
        Shell shell = shells.poll(10, TimeUnit.SECONDS);
        ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
        assertThat(shell.closed.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aMalformedControlMessage_closesWithPolicyViolation() throws Exception {
        String id = api.runningWithShell();
        String token = shellToken(id);
        for (String bad : List.of("not json", "{\"type\":\"resize\",\"rows\":0,\"cols\":80}", "{\"type\":\"exec\"}",
                "{\"type\":\"resize\",\"rows\":\"24\",\"cols\":80}")) {
            Client client = new Client();
            WebSocket ws = open(id, "", token, client);
            Shell shell = shells.poll(10, TimeUnit.SECONDS);
            ws.sendText(bad, true).get(5, TimeUnit.SECONDS);
            assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).as(bad).isEqualTo(1008);
            assertThat(shell.closed.await(10, TimeUnit.SECONDS)).as(bad).isTrue();
            assertThat(shell.resizes).isEmpty();
        }
    }

    @Test
    void theTokenMayComeAsTheSubprotocol_whichIsAccepted() throws Exception {
        String id = api.runningWithShell();
        String protocol = "ember-shell.token." + shellToken(id);
        WebSocket ws = api.http.newWebSocketBuilder().subprotocols("other", protocol).buildAsync(wsUri(id, ""), new Client())
                .get(20, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo(protocol);
        assertThat(shells.poll(10, TimeUnit.SECONDS)).isNotNull();
        ws.abort();
    }

    @Test
    void refusals_comeBeforeTheUpgrade_asTypedErrors() throws Exception {
        String id = api.runningWithShell();
        String other = api.runningWithShell();
        String endpointToken = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"allPorts\":{}}]}").get("authToken").get("X-aws-proxy-auth").asText();
        String good = shellToken(id);

        assertRefused(upgrade(id, "", null), 403, "AccessDeniedException", "missing");
        assertRefused(upgrade(id, "", "garbage"), 403, "AccessDeniedException", "malformed");
        assertRefused(upgrade(id, "", good.substring(0, good.length() - 2) + "AA"), 403, "AccessDeniedException", "invalid");
        assertRefused(upgrade(id, "", endpointToken), 403, "AccessDeniedException", "endpoint token");
        assertRefused(upgrade(id, "", shellToken(other)), 403, "AccessDeniedException", "another microVM");
        String unknown = "mvm-" + "0".repeat(24);
        assertRefused(upgrade(unknown, "", good), 404, "ResourceNotFoundException", unknown);
        assertRefused(upgrade(id, "?rows=0", good), 400, "ValidationException", "rows");
        assertRefused(upgrade(id, "?cols=1001", good), 400, "ValidationException", "cols");
        assertRefused(upgrade(id, "?command=", good), 400, "ValidationException", "command");
        assertThat(shells).isEmpty();

        String otherToken = shellToken(other);
        api.ok("DELETE", "/2025-09-09/microvms/" + other, null);
        assertRefused(upgrade(other, "", otherToken), 409, "ConflictException", "TERMINAT");
        assertThat(upgrade(id, "", good)).startsWith("HTTP/1.1 101");
    }

    private static void assertRefused(String response, int status, String type, String inMessage) throws IOException {
        assertThat(response).startsWith("HTTP/1.1 " + status);
        JsonNode body = ApiFixture.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(body.get("__type").asText()).isEqualTo(type);
        assertThat(body.get("message").asText()).contains(inMessage);
    }

    /** A raw upgrade request: the JDK client hides the body of a refused handshake. Returns what came back first. */
    private String upgrade(String id, String query, String token) throws IOException {
        try (Socket s = new Socket("127.0.0.1", api.server.port())) {
            s.setSoTimeout(10_000);
            String req = "GET /ember/v1/microvms/" + id + "/shell" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + (token == null ? "" : "X-aws-proxy-auth: " + token + "\r\n") + "\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd < 0) continue;
                if (text.startsWith("HTTP/1.1 101")) return text;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                if (m.find() && got.size() >= headEnd + 4 + Integer.parseInt(m.group(1))) return text;
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }
}
