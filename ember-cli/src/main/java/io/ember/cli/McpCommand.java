package io.ember.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.EmberClient;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "mcp", description = {
        "Serve Ember sandboxes as MCP tools over stdio (for any MCP client: Claude Desktop, Claude Code, IDEs).",
        "Tools: create_sandbox, run_command, text_editor, read_file, write_file, list_sandboxes, suspend_sandbox,",
        "terminate_sandbox. Runs until its input ends; logs go to stderr, stdout carries only the protocol."})
final class McpCommand implements Callable<Integer> {
    @ParentCommand EmberCommand root;

    @Option(names = "--image", paramLabel = "NAME", description = "create_sandbox's default image (default debian)")
    String image = "debian";

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "run_command's default timeout, 1 to 3600 (server default 120)")
    Integer timeout;

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch inputEnded = new CountDownLatch(1);
        McpStdio stdio = new McpStdio(); // the end of input waits for the answers to what came before it
        InputStream in = new FilterInputStream(stdio.input(root.io().in())) {
            @Override
            public int read() throws IOException {
                return ended(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ended(super.read(b, off, len));
            }

            private int ended(int n) {
                if (n < 0) inputEnded.countDown();
                return n;
            }
        };
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        try (EmberClient client = root.client()) {
            McpTools tools = new McpTools(client, json, image, timeout, root.io().err());
            McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json, in, stdio.output(root.io().out())))
                    .serverInfo("ember", "0.1.0")
                    .instructions("Each sandbox is a microVM (its own Linux kernel) on an Ember server. Create one, run "
                            + "commands in its persistent shell (cd, variables and functions carry over between calls), "
                            + "read, write and edit files under /workspace, and terminate it when done. A sandbox has "
                            + "no network access.")
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                    .tools(tools.specifications())
                    .build();
            inputEnded.await();
            server.closeGracefully();
        }
        return 0;
    }
}
