package io.ember.endpoint;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies one message body as it arrives, framing untouched (chunks stay chunks), so streamed answers
 * (server-sent events, long downloads) reach the client as the application writes them. Chunk-size
 * lines and trailers are bounded like heads; the bytes themselves are only counted.
 */
final class Bodies {
    private static final int BUFFER = 64 * 1024;
    private static final int MAX_LINE = 4096;
    private static final int MAX_TRAILERS = 64;

    private Bodies() {}

    /** Copies the body; {@code onChunk} runs after each piece is written (the proxy counts it as activity). */
    static void copy(HttpHead.Framing framing, InputStream in, OutputStream out, Runnable onChunk) throws IOException {
        switch (framing.kind()) {
            case NONE -> { }
            case LENGTH -> copyExactly(in, out, framing.length(), onChunk);
            case CHUNKED -> copyChunked(in, out, onChunk);
            case UNTIL_CLOSE -> copyToEnd(in, out, onChunk);
        }
        out.flush();
    }

    static void copyToEnd(InputStream in, OutputStream out, Runnable onChunk) throws IOException {
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            if (in.available() == 0) out.flush(); // nothing more waiting: let this piece go now
            onChunk.run();
        }
        out.flush();
    }

    private static void copyExactly(InputStream in, OutputStream out, long length, Runnable onChunk) throws IOException {
        byte[] buf = new byte[BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new EOFException("the body ended " + left + " bytes short of its length");
            out.write(buf, 0, n);
            if (in.available() == 0) out.flush();
            onChunk.run();
            left -= n;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out, Runnable onChunk) throws IOException {
        while (true) {
            String line = line(in);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new HttpHead.Malformed("an invalid chunk size");
            }
            long size = Long.parseLong(hex, 16);
            writeLine(out, line);
            if (size == 0) break;
            copyExactly(in, out, size, onChunk);
            if (!line(in).isEmpty()) throw new HttpHead.Malformed("a chunk longer than its size");
            writeLine(out, "");
            out.flush();
        }
        for (int i = 0; ; i++) { // trailer fields, then the empty line that ends the message
            if (i > MAX_TRAILERS) throw new HttpHead.Malformed("too many trailer fields");
            String trailer = line(in);
            writeLine(out, trailer);
            if (trailer.isEmpty()) break;
        }
        onChunk.run();
    }

    /**
     * Whether a request body relayed in the background went up whole within 5 s of its answer; if not, the client's
     * stream is out of step (HTTP/1.1) or the stream must be reset (HTTP/2).
     */
    static boolean wentUpWhole(java.util.concurrent.CompletableFuture<Void> body) {
        try {
            body.get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) throw new EOFException("the body ended inside a chunk");
            if (b == '\n') break;
            if (sb.length() == MAX_LINE) throw new HttpHead.Malformed("a chunk line longer than " + MAX_LINE + " bytes");
            sb.append((char) b);
        }
        if (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '\r') sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.ISO_8859_1));
        out.write('\r');
        out.write('\n');
    }
}
