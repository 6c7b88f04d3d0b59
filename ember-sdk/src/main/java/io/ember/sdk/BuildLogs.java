package io.ember.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/** Reads a build log ({@code text/plain}, byte offsets) and follows it across cut connections. */
final class BuildLogs {
    /**
     * Reconnects in a row without a byte or a finished build in between before giving up: a log that has
     * ended may be seen a moment before the build's record says so.
     */
    static final int MAX_IDLE_RECONNECTS = 20;
    static final Duration RETRY_DELAY = Duration.ofMillis(250);

    private final Transport transport;
    private final LongFunction<String> followPath;
    private final Supplier<BuildState> buildState;
    private final Duration retryDelay;

    BuildLogs(Transport transport, LongFunction<String> followPath, Supplier<BuildState> buildState, Duration retryDelay) {
        this.transport = transport;
        this.followPath = followPath;
        this.buildState = buildState;
        this.retryDelay = retryDelay;
    }

    /** Follows until the build has ended and everything before its end is copied; returns the final offset. */
    long follow(long offset, OutputStream out) {
        long[] pos = {offset};
        int idle = 0;
        while (true) {
            long before = pos[0];
            UncheckedIOException cut = null;
            try {
                copy(transport, followPath.apply(pos[0]), pos, out);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof SinkFailed) throw e; // our reader went away: nothing to retry
                cut = e;
            }
            // A follow answer ends when the build ends; one that ends sooner (a proxy, a restart) is resumed.
            BuildState state = buildState.get();
            if (state == null || state.isFinal()) {
                if (cut == null) return pos[0];
                copy(transport, followPath.apply(pos[0]), pos, out); // the tail written before the build ended
                return pos[0];
            }
            idle = pos[0] > before ? 0 : idle + 1;
            if (idle > MAX_IDLE_RECONNECTS) {
                throw cut != null ? cut : new UncheckedIOException(new IOException(
                        "the build log stream keeps ending while the build is " + state));
            }
            EmberClient.sleep(retryDelay);
        }
    }

    static long copy(Transport transport, String path, long offset, OutputStream out) {
        long[] pos = {offset};
        copy(transport, path, pos, out);
        return pos[0];
    }

    /** Copies the answer at {@code path} into {@code out}, advancing {@code pos[0]} by what was delivered. */
    private static void copy(Transport transport, String path, long[] pos, OutputStream out) {
        HttpRequest req = transport.request(path).header("Accept", "text/plain").GET().build();
        try (InputStream in = transport.open(req).body()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                try {
                    out.write(buf, 0, n);
                    out.flush();
                } catch (IOException | UncheckedIOException e) {
                    throw new SinkFailed(e);
                }
                pos[0] += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The caller's output failed: distinct from a cut connection, which is retried. */
    private static final class SinkFailed extends IOException {
        SinkFailed(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Hands complete lines (UTF-8, without the newline) to a consumer; a line longer than 64 KiB is split. */
    static final class LineSplitter extends OutputStream {
        static final int MAX_LINE = 64 * 1024;
        private final Consumer<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

        LineSplitter(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                emit();
                return;
            }
            line.write(b);
            if (line.size() >= MAX_LINE) emit();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            lines.accept(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
        }

        /** The last line, if it had no newline. */
        @Override
        public void close() {
            if (line.size() > 0) emit();
        }
    }
}
