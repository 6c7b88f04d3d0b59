package io.ember.hooks;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One hook call (docs/hooks.md): {@code POST http://127.0.0.1:<port><path>} inside the guest (the path is the version's
 * contract's, {@code /aws/lambda-microvms/runtime/v1/<hook>}), over the agent's TCP
 * connections (the guest needs no network device). HTTP/1.1 with {@code Connection: close}. The application is
 * untrusted: its answer is read up to {@link #MAX_ANSWER} bytes, and the whole call, connection included, is bounded by
 * the hook's timeout. Success is a 2xx status line followed by the end of its headers; the body is read (bounded) only
 * so that the application can finish writing it, and is otherwise ignored.
 */
public final class HookCall {
    /** The most of an answer read: status line, headers and body. */
    public static final int MAX_ANSWER = 64 * 1024;
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] ([0-9]{3})(?: ([\\x20-\\x7e]*))?");
    private static final int ECONNREFUSED = 111, ETIMEDOUT = 110;

    /**
     * What came of a call.
     *
     * @param status the HTTP status, 0 when there was none
     * @param message what happened, for an event: {@code answered 200 OK in 12 ms}, {@code timed out after 5 s}, ...
     */
    public record Outcome(boolean ok, int status, String message, long millis) {}

    private HookCall() {}

    /**
     * POSTs {@code body} to {@code path} on the guest's {@code port}. Never throws: every failure is an Outcome.
     *
     * @param headers extra request headers (names and values without CR or LF)
     */
    public static Outcome post(GuestAgent agent, int port, String path, Map<String, String> headers, byte[] body,
                               Duration timeout) {
        long t0 = System.nanoTime();
        Exchange x = new Exchange(agent, port, request(port, path, headers, body), timeout, t0);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("ember-hook" + path).start(() -> {
            try {
                result.complete(x.run());
            } catch (Throwable e) {
                result.complete(new Outcome(false, 0, "internal error: " + e, ms(t0)));
            }
        });
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            x.abandon(worker);
            Outcome head = x.decided;
            // The status and headers arrived in time; only the body was still on its way.
            return head != null ? head : new Outcome(false, 0, "timed out after " + seconds(timeout), ms(t0));
        } catch (InterruptedException e) {
            x.abandon(worker);
            Thread.currentThread().interrupt();
            return new Outcome(false, 0, "interrupted (the server is stopping)", ms(t0));
        } catch (ExecutionException e) {
            return new Outcome(false, 0, "internal error: " + e.getCause(), ms(t0));
        }
    }

    static byte[] request(int port, String path, Map<String, String> headers, byte[] body) {
        StringBuilder h = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("User-Agent: ember-hooks\r\n");
        headers.forEach((k, v) -> {
            if (k.matches(".*[\\r\\n:].*") || v.matches("(?s).*[\\r\\n].*")) throw new IllegalArgumentException("bad header " + k);
            h.append(k).append(": ").append(v).append("\r\n");
        });
        h.append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The connection's side of one call, on its own thread so that the caller's deadline holds whatever the guest does. */
    private static final class Exchange {
        private final GuestAgent agent;
        private final int port;
        private final byte[] request;
        private final Duration timeout;
        private final long t0;
        private final AtomicReference<GuestSocket> socket = new AtomicReference<>();
        private final AtomicBoolean abandoned = new AtomicBoolean();
        /** Set once the status line and headers are in: the call's outcome, whatever the body does. */
        volatile Outcome decided;

        Exchange(GuestAgent agent, int port, byte[] request, Duration timeout, long t0) {
            this.agent = agent;
            this.port = port;
            this.request = request;
            this.timeout = timeout;
            this.t0 = t0;
        }

        Outcome run() {
            GuestSocket s;
            try {
                long left = Math.max(1, timeout.toMillis() - ms(t0));
                s = agent.connectTcp(port, Duration.ofMillis(Math.min(left, 60_000)));
            } catch (AgentException e) {
                return new Outcome(false, 0, connectFailure(e), ms(t0));
            }
            socket.set(s);
            if (abandoned.get()) s.close();
            try (s) {
                OutputStream out = s.output();
                out.write(request);
                out.flush();
                return answer(s.input());
            } catch (IOException e) {
                if (abandoned.get()) return new Outcome(false, 0, "abandoned", ms(t0));
                return new Outcome(false, 0, "connection to port " + port + " failed: " + e.getMessage(), ms(t0));
            }
        }

        /** Reads the status line and headers, decides, then reads what body there is (bounded) and returns. */
        private Outcome answer(InputStream raw) throws IOException {
            InputStream in = new BufferedInputStream(raw, 8192);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int total = 0;
            int last4 = 0; // the last four bytes read, to spot the blank line that ends the headers
            while ((last4 & 0xFFFF) != 0x0A0A && last4 != 0x0D0A0D0A) {
                if (total >= MAX_ANSWER) return failure(0, "answer headers longer than " + MAX_ANSWER + " bytes");
                int c = in.read();
                if (c < 0) {
                    return failure(0, head.size() == 0 ? "the application closed the connection without an answer"
                            : "the answer ended inside its headers: " + printable(head.toString(StandardCharsets.ISO_8859_1)));
                }
                head.write(c);
                total++;
                last4 = last4 << 8 | c;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            String statusLine = text.lines().findFirst().orElse("");
            Matcher m = STATUS.matcher(statusLine.strip());
            if (!m.matches()) return failure(0, "malformed answer: " + printable(statusLine));
            int status = Integer.parseInt(m.group(1));
            String phrase = m.group(2) == null ? "" : m.group(2).strip(); // printable ASCII by the pattern
            String reason = phrase.isEmpty() ? "" : " " + (phrase.length() > 60 ? phrase.substring(0, 60) + "..." : phrase);
            Outcome o = status / 100 == 2 ? new Outcome(true, status, "answered " + status + reason + " in " + ms(t0) + " ms", ms(t0))
                    : failure(status, "answered " + status + reason + " in " + ms(t0) + " ms");
            decided = o;
            drainBody(in, contentLength(text), MAX_ANSWER - total);
            return o;
        }

        private Outcome failure(int status, String why) {
            return new Outcome(false, status, why, ms(t0));
        }

        /** Lets the application finish writing: up to Content-Length, or to the end of the stream, never past {@code room}. */
        private static void drainBody(InputStream in, long length, int room) throws IOException {
            long want = length >= 0 ? Math.min(length, room) : room;
            byte[] buf = new byte[8192];
            while (want > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, want));
                if (n < 0) return;
                want -= n;
            }
        }

        void abandon(Thread worker) {
            abandoned.set(true);
            GuestSocket s = socket.get();
            if (s != null) s.close();
            worker.interrupt();
        }

        private String connectFailure(AgentException e) {
            if (e.errno() == ECONNREFUSED) return "connection refused on port " + port + " (nothing listens there in the guest)";
            if (e.errno() == ETIMEDOUT) return "connecting to port " + port + " timed out";
            if (abandoned.get()) return "abandoned";
            return "cannot connect to port " + port + ": " + e.getMessage();
        }
    }

    /** Content-Length of the headers, or -1 when absent or unreadable. */
    static long contentLength(String head) {
        for (String line : head.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                try {
                    return Long.parseLong(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Guest text for an event: printable ASCII only, at most 120 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 120; i++) {
            char ch = s.charAt(i);
            b.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return "'" + b + (s.length() > 120 ? "...'" : "'");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
