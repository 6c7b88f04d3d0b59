package io.ember.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The stdio of {@code ember mcp}, watched line by line: which requests came in and which were answered. The MCP SDK's
 * stdio transport stops writing the moment its input ends, so a client that pipes {@code initialize} and
 * {@code tools/list} and closes its end would get only the first answer. Here the end of input reaches the SDK only
 * once every request read before it has been answered (or after {@link #MAX_WAIT}).
 */
final class McpStdio {
    /** The longest a tool call may take (run_command's 3600 s), and some: the end of input waits at most this long. */
    static final Duration MAX_WAIT = Duration.ofSeconds(3660);
    /** A line longer than this is not tracked (the SDK still gets it, and rejects what it cannot parse). */
    private static final int MAX_TRACKED_LINE = 16 << 20;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<String> unanswered = new HashSet<>();
    private final Duration maxWait;

    McpStdio() {
        this(MAX_WAIT);
    }

    McpStdio(Duration maxWait) {
        this.maxWait = maxWait;
    }

    InputStream input(InputStream in) {
        Lines lines = new Lines(this::requestRead, true);
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    awaitAnswers();
                    return -1;
                }
                lines.add(b, off, n);
                return n;
            }
        };
    }

    OutputStream output(OutputStream out) {
        Lines lines = new Lines(this::answerWritten, false);
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                lines.add(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
                lines.complete(); // counted once flushed: the client can read it
            }
        };
    }

    /** Requests read and not yet answered. */
    synchronized int unanswered() {
        return unanswered.size();
    }

    private synchronized void awaitAnswers() {
        long deadline = System.nanoTime() + maxWait.toNanos();
        try {
            while (!unanswered.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void requestRead(JsonNode message) {
        JsonNode id = message.get("id");
        if (id == null || id.isNull() || !message.hasNonNull("method")) return; // a notification, or a client's answer
        synchronized (this) {
            unanswered.add(id.toString());
        }
    }

    private void answerWritten(JsonNode message) {
        JsonNode id = message.get("id");
        if (id == null || message.has("method")) return; // the server's own requests and notifications
        synchronized (this) {
            if (unanswered.remove(id.toString())) notifyAll();
        }
    }

    /** Splits bytes into newline-delimited JSON-RPC messages (or batches of them) and hands each to {@code sink}. */
    private final class Lines {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final Consumer<JsonNode> sink;
        private final boolean immediate;
        private final ArrayDeque<JsonNode> ready = new ArrayDeque<>();
        private boolean overlong;

        Lines(Consumer<JsonNode> sink, boolean immediate) {
            this.sink = sink;
            this.immediate = immediate;
        }

        /** Input lines count as soon as they are read; output lines when {@link #complete()} says they are out. */
        synchronized void add(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] != '\n') continue;
                append(b, off, i - off);
                parse();
                len -= i + 1 - off;
                off = i + 1;
            }
            append(b, off, len);
            if (immediate) complete();
        }

        synchronized void complete() {
            while (!ready.isEmpty()) sink.accept(ready.poll());
        }

        private void append(byte[] b, int off, int len) {
            if (overlong || line.size() + len > MAX_TRACKED_LINE) {
                overlong = true;
                line.reset();
                return;
            }
            line.write(b, off, len);
        }

        private void parse() {
            byte[] text = line.toByteArray();
            boolean skip = overlong;
            line.reset();
            overlong = false;
            if (skip) return;
            try {
                JsonNode node = mapper.readTree(text);
                if (node == null) return;
                if (node.isArray()) node.forEach(ready::add);
                else if (node.isObject()) ready.add(node);
            } catch (IOException notJson) {
                // the SDK answers (or drops) what it cannot parse; nothing to track
            }
        }
    }
}
