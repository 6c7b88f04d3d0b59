package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.EmberException;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import io.ember.sdk.ToolOptions;
import io.ember.sdk.ToolResult;
import io.ember.sdk.ToolUse;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The MCP tools of {@code ember mcp}, each a call or two of the SDK; failures are tool results with isError. What the
 * caller did wrong and what the server answered reach the client; anything else (a bug, an I/O failure) is written to
 * stderr with a reference, and the client gets only that reference: an exception's text names internals.
 */
final class McpTools {
    static final int MAX_READ_BYTES = 1 << 20;
    private static final String ID = "{\"type\":\"string\",\"description\":\"the sandbox's id (mvm-...), from create_sandbox\"}";

    private final EmberClient client;
    private final McpJsonMapper json;
    private final String defaultImage;
    private final Integer defaultTimeout; // null: the server's default
    private final PrintStream log;

    McpTools(EmberClient client, McpJsonMapper json, String defaultImage, Integer defaultTimeout, PrintStream log) {
        this.client = client;
        this.json = json;
        this.defaultImage = defaultImage;
        this.defaultTimeout = defaultTimeout;
        this.log = log;
    }

    List<SyncToolSpecification> specifications() {
        List<SyncToolSpecification> out = new ArrayList<>();
        out.add(tool("create_sandbox", "Create a sandbox: a new microVM from an image, ready when this returns. Returns its id.",
                "{\"type\":\"object\",\"properties\":{\"image\":{\"type\":\"string\",\"description\":\"image name (default "
                        + defaultImage + "; managed images: debian with bash and python3, busybox)\"},"
                        + "\"maximumDurationSeconds\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"terminate it after this long\"}}}",
                this::create));
        out.add(tool("run_command", "Run a shell command in the sandbox's persistent shell (bash when the image has it): "
                        + "the working directory, variables and functions carry over between calls of the same session. "
                        + "Output is stdout and stderr together; a command past its timeout is interrupted.",
                "{\"type\":\"object\",\"required\":[\"microvmId\",\"command\"],\"properties\":{\"microvmId\":" + ID + ","
                        + "\"command\":{\"type\":\"string\"},\"restart\":{\"type\":\"boolean\",\"description\":\"start a fresh shell first\"},"
                        + "\"session\":{\"type\":\"string\",\"description\":\"shell session name (default: default)\"},"
                        + "\"timeoutSeconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3600}}}",
                this::runCommand));
        out.add(tool("text_editor", "View, create and edit text files under /workspace (Anthropic's text editor tool: "
                        + "command view [view_range], create [file_text], str_replace [old_str, new_str], insert [insert_line, insert_text]).",
                "{\"type\":\"object\",\"required\":[\"microvmId\",\"command\",\"path\"],\"properties\":{\"microvmId\":" + ID + ","
                        + "\"command\":{\"type\":\"string\",\"enum\":[\"view\",\"create\",\"str_replace\",\"insert\"]},"
                        + "\"path\":{\"type\":\"string\"},\"view_range\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
                        + "\"file_text\":{\"type\":\"string\"},\"old_str\":{\"type\":\"string\"},\"new_str\":{\"type\":\"string\"},"
                        + "\"insert_line\":{\"type\":\"integer\"},\"insert_text\":{\"type\":\"string\"}}}",
                this::editor));
        out.add(tool("read_file", "Read a file of the sandbox as text (at most 1 MiB). A relative path is taken from /workspace.",
                "{\"type\":\"object\",\"required\":[\"microvmId\",\"path\"],\"properties\":{\"microvmId\":" + ID
                        + ",\"path\":{\"type\":\"string\"}}}",
                this::readFile));
        out.add(tool("write_file", "Write a text file in the sandbox (replacing it; missing parent directories are made). "
                        + "A relative path is taken from /workspace.",
                "{\"type\":\"object\",\"required\":[\"microvmId\",\"path\",\"content\"],\"properties\":{\"microvmId\":" + ID
                        + ",\"path\":{\"type\":\"string\"},\"content\":{\"type\":\"string\"},"
                        + "\"mode\":{\"type\":\"string\",\"description\":\"octal permission bits, e.g. 0755\"}}}",
                this::writeFile));
        out.add(tool("list_sandboxes", "List the sandboxes (microVMs) that are not terminated, with their state.",
                "{\"type\":\"object\",\"properties\":{}}", this::list));
        out.add(tool("suspend_sandbox", "Suspend a sandbox: its memory and disk go to disk and it stops costing CPU. "
                        + "The next command or file call wakes it with its processes and shell state as they were.",
                "{\"type\":\"object\",\"required\":[\"microvmId\"],\"properties\":{\"microvmId\":" + ID + "}}",
                this::suspend));
        out.add(tool("terminate_sandbox", "Terminate a sandbox: the microVM stops and its disk is discarded.",
                "{\"type\":\"object\",\"required\":[\"microvmId\"],\"properties\":{\"microvmId\":" + ID + "}}",
                this::terminate));
        return out;
    }

    private SyncToolSpecification tool(String name, String description, String schema,
                                       Function<Map<String, Object>, CallToolResult> handler) {
        McpSchema.Tool t = McpSchema.Tool.builder().name(name).description(description).inputSchema(json, schema).build();
        return SyncToolSpecification.builder().tool(t).callHandler((exchange, request) -> {
            Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
            try {
                return handler.apply(args);
            } catch (IllegalArgumentException | EmberException e) {
                return error(e.getMessage());
            } catch (UncheckedIOException e) {
                return error(internal(name, e, "could not reach the Ember server or the sandbox"));
            } catch (RuntimeException e) {
                return error(internal(name, e, "internal error in ember mcp"));
            }
        }).build();
    }

    /** Logs {@code e} with a fresh reference; returns what the client may see. */
    private String internal(String tool, RuntimeException e, String what) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        synchronized (log) {
            log.println("ember mcp: " + tool + " failed, reference " + reference + ":");
            e.printStackTrace(log);
        }
        return what + " (reference " + reference + "; the details are in ember mcp's log on stderr)";
    }

    private CallToolResult create(Map<String, Object> a) {
        String image = optional(a, "image", defaultImage);
        RunMicrovmRequest req = RunMicrovmRequest.of(image).withClientToken(UUID.randomUUID().toString());
        Object max = a.get("maximumDurationSeconds");
        if (max != null) req = req.withMaximumDurationInSeconds(integer(max, "maximumDurationSeconds"));
        Microvm vm = client.runMicrovm(req);
        try {
            client.waitUntilRunning(vm.microvmId(), Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            client.terminateMicrovm(vm.microvmId());
            throw e;
        }
        return text("Sandbox " + vm.microvmId() + " (image " + image + ") is RUNNING. Pass microvmId \"" + vm.microvmId()
                + "\" to the other tools; its working directory is /workspace.");
    }

    private CallToolResult runCommand(Map<String, Object> a) {
        String id = required(a, "microvmId");
        Object restart = a.get("restart");
        Map<String, Object> input = new LinkedHashMap<>();
        if (a.get("command") != null) input.put("command", required(a, "command"));
        if (Boolean.TRUE.equals(restart)) input.put("restart", true);
        Integer t = defaultTimeout;
        if (a.get("timeoutSeconds") != null) t = integer(a.get("timeoutSeconds"), "timeoutSeconds");
        ToolOptions options = new ToolOptions(optional(a, "session", null), t, null);
        return result(client.runTool(id, ToolUse.of("mcp_" + UUID.randomUUID(), ToolUse.BASH, input), options));
    }

    private CallToolResult editor(Map<String, Object> a) {
        String id = required(a, "microvmId");
        Map<String, Object> input = new LinkedHashMap<>(a);
        input.remove("microvmId");
        return result(client.runTool(id, ToolUse.of("mcp_" + UUID.randomUUID(), ToolUse.TEXT_EDITOR, input)));
    }

    private CallToolResult readFile(Map<String, Object> a) {
        String id = required(a, "microvmId");
        String path = required(a, "path");
        Capped out = new Capped(MAX_READ_BYTES);
        try {
            client.downloadFile(id, path, out);
        } catch (UncheckedIOException e) {
            if (!out.full) throw e;
            return error(path + " is larger than " + (MAX_READ_BYTES >> 20) + " MiB: read parts of it with run_command "
                    + "(head, tail, sed -n, grep)");
        }
        return text(new String(out.toByteArray(), StandardCharsets.UTF_8));
    }

    private CallToolResult writeFile(Map<String, Object> a) {
        String id = required(a, "microvmId");
        String path = required(a, "path");
        String content = required(a, "content");
        Integer mode = a.get("mode") == null ? null : mode(required(a, "mode"));
        String absolute = path.startsWith("/") ? path : "/workspace/" + path;
        String parent = absolute.substring(0, absolute.lastIndexOf('/'));
        if (!parent.isEmpty()) client.mkdir(id, parent, true);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        var r = client.uploadFile(id, absolute, new ByteArrayInputStream(bytes), mode);
        return text("Wrote " + bytes.length + " bytes to " + r.path());
    }

    private CallToolResult list(Map<String, Object> a) {
        String rows = client.listAllMicrovms(ListMicrovmsRequest.all())
                .filter(m -> m.state() != MicrovmState.TERMINATED)
                .map(m -> m.microvmId() + "  " + m.state() + "  " + m.imageArn())
                .collect(Collectors.joining("\n"));
        return text(rows.isEmpty() ? "No sandboxes." : rows);
    }

    private CallToolResult suspend(Map<String, Object> a) {
        String id = required(a, "microvmId");
        client.suspendMicrovm(id);
        return text("Sandbox " + id + " is SUSPENDED; the next command or file call resumes it.");
    }

    private CallToolResult terminate(Map<String, Object> a) {
        String id = required(a, "microvmId");
        client.terminateMicrovm(id);
        return text("Sandbox " + id + " is TERMINATED.");
    }

    private static CallToolResult result(ToolResult r) {
        return CallToolResult.builder().addTextContent(r.content()).isError(r.isError()).build();
    }

    private static CallToolResult text(String s) {
        return CallToolResult.builder().addTextContent(s).isError(false).build();
    }

    private static CallToolResult error(String s) {
        return CallToolResult.builder().addTextContent(s == null ? "failed" : s).isError(true).build();
    }

    private static String required(Map<String, Object> a, String name) {
        Object v = a.get(name);
        if (!(v instanceof String s) || s.isEmpty()) throw new IllegalArgumentException(name + " is required (a string)");
        return s;
    }

    private static String optional(Map<String, Object> a, String name, String dflt) {
        Object v = a.get(name);
        if (v == null) return dflt;
        if (!(v instanceof String s) || s.isEmpty()) throw new IllegalArgumentException(name + " must be a non-empty string");
        return s;
    }

    private static int integer(Object v, String name) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
        if (v instanceof String s && s.matches("\\d{1,9}")) return Integer.parseInt(s);
        throw new IllegalArgumentException(name + " must be an integer");
    }

    private static int mode(String s) {
        if (!s.matches("[0-7]{1,4}")) throw new IllegalArgumentException("mode must be octal permission bits such as 0644");
        return Integer.parseInt(s, 8);
    }

    /** Keeps at most {@code cap} bytes, then refuses (which ends the download). */
    private static final class Capped extends ByteArrayOutputStream {
        private final int cap;
        boolean full;

        Capped(int cap) {
            this.cap = cap;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (size() + len > cap) {
                full = true;
                throw new UncheckedIOException(new IOException("more than " + cap + " bytes"));
            }
            super.write(b, off, len);
        }
    }

}
