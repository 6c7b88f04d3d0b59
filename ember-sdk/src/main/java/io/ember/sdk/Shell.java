package io.ember.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An open shell in a microVM (see {@link EmberClient#openShell}): keystrokes go in with {@link #send}, terminal
 * output comes to the {@link ShellListener}, and {@link #exit()} completes with the exit status once the remote
 * process has ended (or exceptionally: an {@link EmberException} the server reported, or an
 * {@link UncheckedIOException} when the connection ended without a status). Thread-safe; closing it kills the
 * remote process if it still runs.
 */
public final class Shell implements AutoCloseable {
    /** The byte a terminal reads as end of input at the start of a line (Ctrl-D). */
    public static final byte EOT = 0x04;
    static final int MAX_INPUT_MESSAGE = 64 * 1024;
    private static final int MAX_CONTROL_TEXT = 64 * 1024;
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(10);

    private final CompletableFuture<ShellExit> exit = new CompletableFuture<>();
    private final ShellListener listener;
    private final StringBuilder text = new StringBuilder();
    private volatile WebSocket ws;
    private ShellExit exited;
    private EmberException failed;

    private Shell(ShellListener listener) {
        this.listener = listener;
    }

    static Shell open(HttpClient http, URI uri, String token, Duration connectTimeout, ShellListener listener) {
        Shell shell = new Shell(listener);
        try {
            shell.ws = http.newWebSocketBuilder().connectTimeout(connectTimeout)
                    .header(AuthToken.HEADER, token)
                    .buildAsync(uri, shell.new Events()).get();
            return shell;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                Object body = h.getResponse().body();
                byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
                throw Errors.fromResponse(h.getResponse().statusCode(), h.getResponse().headers().firstValue("X-Amzn-ErrorType"),
                        h.getResponse().headers().firstValue("x-amzn-RequestId").orElse(null), bytes);
            }
            throw new UncheckedIOException(new IOException("cannot open the shell at " + uri + ": " + e.getCause(), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while opening the shell"));
        }
    }

    /** Completes when the remote process has ended and the server has closed the socket. */
    public CompletableFuture<ShellExit> exit() {
        return exit;
    }

    /** Keystrokes (or any input) for the terminal, in chunks of at most 64 KiB; blocks while the socket is busy. */
    public void send(byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        for (int at = off; at < off + len; at += MAX_INPUT_MESSAGE) {
            int n = Math.min(MAX_INPUT_MESSAGE, off + len - at);
            byte[] chunk = java.util.Arrays.copyOfRange(data, at, at + n);
            await(() -> ws.sendBinary(ByteBuffer.wrap(chunk), true));
        }
    }

    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    /** End of input, as a user types it (Ctrl-D): a program reading the terminal sees EOF at the start of a line. */
    public void sendEof() {
        send(new byte[] {EOT});
    }

    /** The terminal's new size; the remote program gets SIGWINCH. 1 to 1000 rows and columns. */
    public void resize(int rows, int cols) {
        ShellOptions.of(rows, cols); // the same bounds
        String msg = "{\"type\":\"resize\",\"rows\":" + rows + ",\"cols\":" + cols + "}";
        await(() -> ws.sendText(msg, true));
    }

    /** Closes the socket; the server kills the remote process if it still runs. */
    @Override
    public void close() {
        WebSocket w = ws;
        if (w.isOutputClosed()) {
            w.abort();
            return;
        }
        try {
            await(() -> w.sendClose(WebSocket.NORMAL_CLOSURE, "closed by the client"));
        } catch (UncheckedIOException e) {
            w.abort();
        }
    }

    /** One send at a time: the JDK's WebSocket refuses a second while one is pending. */
    private synchronized void await(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
        try {
            send.get().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException("the shell's connection failed: " + e.getCause(), e.getCause()));
        } catch (TimeoutException e) {
            ws.abort();
            throw new UncheckedIOException(new IOException("the shell's server took no input for " + SEND_TIMEOUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while sending to the shell"));
        } catch (IllegalStateException e) {
            throw new UncheckedIOException(new IOException("the shell is closed", e));
        }
    }

    private final class Events implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            try {
                listener.onOutput(chunk);
            } finally {
                w.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            if (text.length() + data.length() > MAX_CONTROL_TEXT) {
                w.abort();
                exit.completeExceptionally(new UncheckedIOException(new IOException("oversized control message from the server")));
                return null;
            }
            text.append(data);
            if (last) {
                control(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        private void control(String message) {
            try {
                JsonNode m = Json.MAPPER.readTree(message);
                switch (m.path("type").asText()) {
                    case "exit" -> exited = new ShellExit(m.path("exitCode").asInt(-1), m.path("signal").asInt(0));
                    case "error" -> {
                        String type = m.path("errorType").asText("InternalServerException");
                        failed = Errors.create(type, Errors.statusOf(type), null, m.path("message").asText(""), null, null);
                    }
                    default -> { } // newer servers may say more
                }
            } catch (IOException e) {
                failed = new EmberException("InternalServerException", 500, null, "malformed control message from the server");
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            if (exited != null) exit.complete(exited);
            else if (failed != null) exit.completeExceptionally(failed);
            else exit.completeExceptionally(new UncheckedIOException(new IOException(
                    "the shell closed without an exit status (" + code + (reason.isEmpty() ? "" : ": " + reason) + ")")));
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            exit.completeExceptionally(cause instanceof UncheckedIOException u ? u
                    : new UncheckedIOException(new IOException("the shell's connection failed: " + cause, cause)));
        }
    }
}
