package io.ember.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The events of one exec, read from the server's NDJSON answer as they arrive. Iterate until
 * {@link ExecEvent.Exit}; an {@code error} line is thrown as its typed {@link EmberException}. Closing
 * early drops the connection. Not thread-safe.
 */
public final class ExecStream implements Iterator<ExecEvent>, AutoCloseable {
    /** A line holds at most one base64 chunk; anything this long is not Ember talking. */
    static final int MAX_LINE_BYTES = 16 << 20;

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private final String requestId;
    private ExecEvent pending;
    private boolean exited;

    ExecStream(InputStream body, String requestId) {
        this.in = body;
        this.requestId = requestId;
    }

    @Override
    public boolean hasNext() {
        if (pending == null && !exited) pending = readEvent();
        return pending != null;
    }

    @Override
    public ExecEvent next() {
        if (!hasNext()) throw new NoSuchElementException("the exec stream has ended");
        ExecEvent e = pending;
        pending = null;
        if (e instanceof ExecEvent.Exit) {
            exited = true;
            close();
        }
        return e;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // Closing only abandons the exchange; nothing to report.
        }
    }

    private ExecEvent readEvent() {
        try {
            while (true) {
                byte[] line = readLine();
                if (line == null) throw new EOFException("exec stream ended without an exit event");
                if (line.length == 0) continue;
                ExecEvent e = parse(Json.MAPPER.readTree(line));
                if (e != null) return e;
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException badBase64) {
            close();
            throw new UncheckedIOException(new IOException("malformed exec event: " + badBase64.getMessage()));
        }
    }

    private ExecEvent parse(JsonNode n) {
        String type = n.path("type").asText();
        return switch (type) {
            case "started" -> new ExecEvent.Started(n.path("pid").asInt());
            case "stdout" -> new ExecEvent.Stdout(Base64.getDecoder().decode(n.path("data").asText()));
            case "stderr" -> new ExecEvent.Stderr(Base64.getDecoder().decode(n.path("data").asText()));
            case "exit" -> new ExecEvent.Exit(n.path("exitCode").asInt(), n.path("signal").asInt(),
                    n.path("timedOut").asBoolean());
            case "error" -> {
                close();
                String errorType = Errors.normalize(n.path("errorType").asText("InternalServerException"));
                throw Errors.create(errorType, Errors.statusOf(errorType), requestId,
                        n.path("message").asText(""), null, null);
            }
            default -> null; // a newer server's event: skip it
        };
    }

    /** One line without its newline; null at end of stream. Reads only what has arrived, never ahead. */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            if (pos == limit) {
                limit = in.read(buf);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return line.size() == 0 ? null : line.toByteArray();
                }
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') pos++;
            line.write(buf, start, pos - start);
            if (line.size() > MAX_LINE_BYTES) throw new IOException("exec event line longer than " + MAX_LINE_BYTES + " bytes");
            if (pos < limit) {
                pos++;
                return line.toByteArray();
            }
        }
    }
}
