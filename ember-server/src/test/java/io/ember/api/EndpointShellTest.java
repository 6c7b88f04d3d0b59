package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ember.agent.ExecEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint's WebSockets as Lambda MicroVMs names them: the shell at {@code <endpoint>/shell} with a shell token
 * (header or {@code lambda-microvms.authentication.<token>} behind the bare {@code lambda-microvms} marker), and an
 * application's WebSocket with the token and port as subprotocols that the application never sees.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndpointShellTest {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;
    String id;
    final BlockingQueue<ShellApiTest.Shell> shells = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        api = new ApiFixture(dir);
        api.agents.execHandler = r -> {
            ShellApiTest.Shell s = new ShellApiTest.Shell(r);
            shells.add(s);
            return s;
        };
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] out = ("application " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.start();
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        app.stop(0);
        api.close();
    }

    String shellToken() {
        return api.ok("POST", "/2025-09-09/microvms/" + id + "/shell-auth-token", "{\"expirationInMinutes\":5}")
                .get("authToken").get("X-aws-proxy-auth").asText();
    }

    String endpointToken() {
        return api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
    }

    URI endpoint(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + api.server.endpointPort() + "/" + id + path);
    }

    @Test
    void theShellIsServedAtEndpointSlashShellWithAwsSubprotocols() throws Exception {
        ShellApiTest.Client client = new ShellApiTest.Client();
        // As AWS's own example offers them: the token, the marker, the shell's port.
        WebSocket ws = api.http.newWebSocketBuilder()
                .subprotocols("lambda-microvms.authentication." + shellToken(), "lambda-microvms", "lambda-microvms.port.8022")
                .buildAsync(endpoint("ws", "/shell?rows=40&cols=120"), client).get(20, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).as("the marker is confirmed, never the token").isEqualTo("lambda-microvms");
        ShellApiTest.Shell shell = shells.poll(10, TimeUnit.SECONDS);
        assertThat(shell).isNotNull();
        assertThat(shell.request.terminal()).isEqualTo(new io.ember.agent.Terminal(40, 120));
        ws.sendBinary(ByteBuffer.wrap("echo hi\r".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
        client.awaitOutput("echo hi\r");
        shell.events.add(new ExecEvent.Exit(3, 0, false));
        JsonNode exit = ApiFixture.JSON.readTree(client.texts.poll(10, TimeUnit.SECONDS));
        assertThat(exit.get("exitCode").asInt()).isEqualTo(3);
        assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);

        // The header works too (a terminal client such as websocat).
        WebSocket byHeader = api.http.newWebSocketBuilder().header("X-aws-proxy-auth", shellToken())
                .buildAsync(endpoint("ws", "/shell"), new ShellApiTest.Client()).get(20, TimeUnit.SECONDS);
        assertThat(shells.poll(10, TimeUnit.SECONDS)).isNotNull();
        byHeader.abort();
    }

    @Test
    void slashShellWithAnEndpointTokenIsTheApplicationsPathAndNoTokenIsRefused() throws Exception {
        HttpResponse<String> r = api.send(HttpRequest.newBuilder(endpoint("http", "/shell"))
                .header("X-aws-proxy-auth", endpointToken()).build());
        assertThat(r.body()).isEqualTo("application /shell");
        AtomicReference<Throwable> refused = new AtomicReference<>();
        try {
            api.http.newWebSocketBuilder().subprotocols("lambda-microvms")
                    .buildAsync(endpoint("ws", "/shell"), new ShellApiTest.Client()).get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            refused.set(e.getCause());
        }
        assertThat(refused.get()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        assertThat(((java.net.http.WebSocketHandshakeException) refused.get()).getResponse().statusCode()).isEqualTo(403);
        assertThat(shells).isEmpty();
    }

    @Test
    void anApplicationsWebSocketGetsItsOwnSubprotocolsOnlyAndTheMarkerIsConfirmed() throws Exception {
        try (ServerSocket ws = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            api.agents.tcpPorts.put(9000, ws.getLocalPort());
            AtomicReference<String> seen = new AtomicReference<>();
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket c = ws.accept()) {
                    seen.set(EndpointApiTest.readAnswer(c.getInputStream()));
                    c.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    c.getInputStream().transferTo(c.getOutputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                    "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":9000}]}").get("authToken").get("X-aws-proxy-auth").asText();
            try (Socket s = new Socket("127.0.0.1", api.server.endpointPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /" + id + "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Protocol: lambda-microvms, lambda-microvms.authentication." + token
                        + ", lambda-microvms.port.9000, chat\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                String head = EndpointApiTest.readAnswer(in);
                assertThat(head).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Protocol: lambda-microvms\r\n");
                s.getOutputStream().write("ping".getBytes());
                s.shutdownOutput();
                assertThat(new String(in.readAllBytes())).isEqualTo("ping");
            }
            server.join(10_000);
            assertThat(seen.get()).contains("Sec-WebSocket-Protocol: chat\r\n").doesNotContain("lambda-microvms")
                    .doesNotContain(token);
        }
    }
}
