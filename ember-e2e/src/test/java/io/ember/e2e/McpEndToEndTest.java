package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.cli.Main;
import io.ember.sdk.MicrovmState;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ember mcp} spoken to over its stdio as an MCP client does (JSON-RPC, one message a line): initialize,
 * tools/list, tools/call through a sandbox's life, against a real server and a real busybox microVM (whose shell
 * is busybox sh: the tools' fallback when an image has no bash).
 */
class McpEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anMcpClientCreatesUsesSuspendsAndTerminatesASandbox() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            PipedOutputStream toServer = new PipedOutputStream();
            PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 20);
            PipedInputStream fromServer = new PipedInputStream(1 << 20);
            PrintStream serverOut = new PrintStream(new PipedOutputStream(fromServer), true, StandardCharsets.UTF_8);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(
                    new String[] {"--endpoint-url", server.endpoint(), "mcp", "--image", "busybox", "--timeout", "30"},
                    serverIn, serverOut, new PrintStream(err, true, StandardCharsets.UTF_8),
                    // As on the server's host: the admin key the server wrote to its data directory.
                    Map.of("EMBER_DATA_DIR", server.dataDir().toString(), "HOME", server.dataDir().toString())));
            Client c = new Client(toServer, new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8)));

            JsonNode init = c.call("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                    "clientInfo", Map.of("name", "e2e", "version", "1")));
            assertThat(init.at("/result/serverInfo/name").asText()).isEqualTo("ember");
            assertThat(init.at("/result/capabilities/tools").isObject()).isTrue();
            c.notify("notifications/initialized");

            List<String> names = new ArrayList<>();
            c.call("tools/list", Map.of()).at("/result/tools").forEach(t -> names.add(t.get("name").asText()));
            assertThat(names).containsExactlyInAnyOrder("create_sandbox", "run_command", "text_editor", "read_file",
                    "write_file", "list_sandboxes", "suspend_sandbox", "terminate_sandbox");

            JsonNode created = c.tool("create_sandbox", Map.of());
            assertThat(created.at("/result/isError").asBoolean()).isFalse();
            String text = created.at("/result/content/0/text").asText();
            String id = text.substring(text.indexOf("mvm-"), text.indexOf("mvm-") + 28);
            assertThat(server.client().getMicrovm(id).state()).isEqualTo(MicrovmState.RUNNING);

            assertThat(c.text("run_command", Map.of("microvmId", id, "command", "cd /tmp && export A=1 && f() { echo fn $A; }")))
                    .isEmpty();
            assertThat(c.text("run_command", Map.of("microvmId", id, "command", "pwd; f; ls /bin/bash 2>&1 | head -c 0")))
                    .isEqualTo("/tmp\nfn 1");
            JsonNode slow = c.tool("run_command", Map.of("microvmId", id, "command", "sleep 30", "timeoutSeconds", 1));
            assertThat(slow.at("/result/isError").asBoolean()).isTrue();
            assertThat(slow.at("/result/content/0/text").asText()).contains("timed out after 1 s and was interrupted");
            assertThat(c.text("run_command", Map.of("microvmId", id, "command", "echo $A; pwd"))).isEqualTo("1\n/tmp");

            assertThat(c.text("write_file", Map.of("microvmId", id, "path", "notes/hello.txt", "content", "héllo\nworld\n")))
                    .isEqualTo("Wrote 13 bytes to /workspace/notes/hello.txt");
            assertThat(c.text("read_file", Map.of("microvmId", id, "path", "/workspace/notes/hello.txt"))).isEqualTo("héllo\nworld\n");
            assertThat(c.text("text_editor", Map.of("microvmId", id, "command", "str_replace", "path", "notes/hello.txt",
                    "old_str", "world", "new_str", "there"))).startsWith("The file /workspace/notes/hello.txt has been edited.");
            assertThat(c.text("run_command", Map.of("microvmId", id, "command", "cat /workspace/notes/hello.txt")))
                    .isEqualTo("héllo\nthere");
            JsonNode missing = c.tool("read_file", Map.of("microvmId", id, "path", "nope.txt"));
            assertThat(missing.at("/result/isError").asBoolean()).isTrue();

            assertThat(c.text("list_sandboxes", Map.of())).contains(id + "  RUNNING");
            assertThat(c.text("suspend_sandbox", Map.of("microvmId", id))).contains("SUSPENDED");
            assertThat(server.client().getMicrovm(id).state()).isEqualTo(MicrovmState.SUSPENDED);
            assertThat(c.text("run_command", Map.of("microvmId", id, "command", "f; pwd"))).isEqualTo("fn 1\n/tmp");
            assertThat(c.text("terminate_sandbox", Map.of("microvmId", id))).contains("TERMINATED");
            assertThat(server.client().getMicrovm(id).state()).isEqualTo(MicrovmState.TERMINATED);
            JsonNode gone = c.tool("run_command", Map.of("microvmId", id, "command", "true"));
            assertThat(gone.at("/result/isError").asBoolean()).isTrue();

            toServer.close(); // end of input: the server stops
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void theOfficialMcpClientDrivesEmberMcpStartedWithItsDefaults() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            // `ember mcp` as a host starts it: a process of its own, no --timeout, no --image; the admin's key from the
            // server's data directory. The test classpath stands in for bin/ember's jar.
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    Main.class.getName(), "--endpoint-url", server.endpoint(), "mcp"));
            List<String> dead = new ArrayList<>(command);
            dead.set(dead.indexOf(server.endpoint()), "http://127.0.0.1:" + closedPort());
            OfficialClientEndToEndTest.node(server, "official-mcp.mjs", "OFFICIAL-MCP OK", Map.of(
                    "EMBER_MCP_COMMAND", JSON.writeValueAsString(command), "EMBER_MCP_DEAD_COMMAND", JSON.writeValueAsString(dead),
                    "EMBER_DATA_DIR", server.dataDir().toString(), "HOME", server.dataDir().toString()));
        }
    }

    @Test
    void requestsPipedBeforeTheEndOfInputAreAllAnswered() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            String piped = """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"pipe","version":"1"}}}
                    {"jsonrpc":"2.0","method":"notifications/initialized"}
                    {"jsonrpc":"2.0","id":"two","method":"tools/list","params":{}}
                    {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_sandboxes","arguments":{}}}
                    """;
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--endpoint-url", server.endpoint(), "mcp"},
                    new java.io.ByteArrayInputStream(piped.getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Map.of("EMBER_DATA_DIR", server.dataDir().toString(), "HOME", server.dataDir().toString()));
            assertThat(code).isZero();
            List<String> ids = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                JsonNode m = JSON.readTree(line);
                assertThat(m.has("error")).as(line).isFalse();
                ids.add(m.get("id").asText());
            }
            assertThat(ids).as("answers, stderr: %s", err).containsExactlyInAnyOrder("1", "two", "3");
        }
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again at once: a connection there is refused
        }
    }

    /** A minimal MCP client: requests with ids, answers matched by id (notifications from the server skipped). */
    private static final class Client {
        private final OutputStream out;
        private final BufferedReader in;
        private int ids;

        Client(OutputStream out, BufferedReader in) {
            this.out = out;
            this.in = in;
        }

        JsonNode call(String method, Object params) throws IOException {
            int id = ++ids;
            send(JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method)
                    .set("params", JSON.valueToTree(params)));
            while (true) {
                String line = in.readLine();
                if (line == null) throw new IOException("the server closed its output");
                JsonNode m = JSON.readTree(line);
                if (m.has("id") && m.get("id").asInt() == id && !m.has("method")) {
                    assertThat(m.has("error")).as(line).isFalse();
                    return m;
                }
            }
        }

        void notify(String method) throws IOException {
            send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method));
        }

        JsonNode tool(String name, Map<String, Object> arguments) throws IOException {
            return call("tools/call", Map.of("name", name, "arguments", arguments));
        }

        /** A tool call that must succeed; its text. */
        String text(String name, Map<String, Object> arguments) throws IOException {
            JsonNode r = tool(name, arguments);
            assertThat(r.at("/result/isError").asBoolean()).as(r.toString()).isFalse();
            return r.at("/result/content/0/text").asText();
        }

        private void send(ObjectNode message) throws IOException {
            out.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
