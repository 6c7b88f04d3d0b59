package io.ember.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The start line and header fields of an HTTP/1.x message, read with hard bounds: the peer may be a
 * hostile guest or any client. Header order and spelling are kept, so what is forwarded is what came
 * in, minus what the proxy removes.
 */
final class HttpHead {
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_FIELDS = 128;

    final String startLine;
    private final List<String[]> fields;

    HttpHead(String startLine, List<String[]> fields) {
        this.startLine = startLine;
        this.fields = fields;
    }

    /** Thrown for a head that breaks the bounds or the grammar; the message is fit for an error answer. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /** The next head on {@code in}; null at a clean end of stream before its first byte. */
    static HttpHead read(InputStream in) throws IOException {
        byte[] buf = new byte[1024]; // most heads are a few hundred bytes: grown as needed, up to MAX_BYTES
        int n = 0;
        List<String> lines = new ArrayList<>();
        int lineStart = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0) return null;
                throw new Malformed("the message ended inside its head");
            }
            if (n == MAX_BYTES) throw new Malformed("the message head is longer than " + MAX_BYTES + " bytes");
            if (n == buf.length) buf = java.util.Arrays.copyOf(buf, Math.min(MAX_BYTES, buf.length * 2));
            buf[n++] = (byte) b;
            if (b != '\n') continue;
            int end = n - 1;
            if (end > lineStart && buf[end - 1] == '\r') end--;
            String line = new String(buf, lineStart, end - lineStart, StandardCharsets.ISO_8859_1);
            lineStart = n;
            if (line.isEmpty()) {
                if (lines.isEmpty()) continue; // RFC 9112 2.2: ignore empty lines before the start line
                return parse(lines);
            }
            if (lines.size() > MAX_FIELDS) throw new Malformed("the message has more than " + MAX_FIELDS + " header fields");
            lines.add(line);
        }
    }

    private static HttpHead parse(List<String> lines) throws Malformed {
        List<String[]> fields = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') throw new Malformed("obsolete line folding in a header");
            int colon = line.indexOf(':');
            if (colon <= 0) throw new Malformed("a header line without a name");
            String name = line.substring(0, colon);
            if (!name.chars().allMatch(HttpHead::tchar)) throw new Malformed("an invalid header name");
            String value = line.substring(colon + 1).strip();
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) throw new Malformed("a control character in header " + name);
            fields.add(new String[] {name, value});
        }
        String start = lines.get(0);
        if (start.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) throw new Malformed("a control character in the start line");
        return new HttpHead(start, fields);
    }

    private static boolean tchar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    String get(String name) {
        for (String[] f : fields) if (f[0].equalsIgnoreCase(name)) return f[1];
        return null;
    }

    List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String[] f : fields) if (f[0].equalsIgnoreCase(name)) out.add(f[1]);
        return out;
    }

    /** Whether a comma-separated header (Connection, Transfer-Encoding, ...) lists {@code token}. */
    boolean lists(String name, String token) {
        for (String v : all(name)) {
            for (String t : v.split(",")) if (t.strip().equalsIgnoreCase(token)) return true;
        }
        return false;
    }

    void remove(String name) {
        fields.removeIf(f -> f[0].equalsIgnoreCase(name));
    }

    /** The fields in order, each {name, value}; read-only. */
    List<String[]> fields() {
        return java.util.Collections.unmodifiableList(fields);
    }

    /** Removes every field whose name starts with {@code prefix}, whatever its case. */
    void removePrefixed(String prefix) {
        fields.removeIf(f -> f[0].regionMatches(true, 0, prefix, 0, prefix.length()));
    }

    void add(String name, String value) {
        fields.add(new String[] {name, value});
    }

    void set(String name, String value) {
        remove(name);
        add(name, value);
    }

    HttpHead withStartLine(String line) {
        return new HttpHead(line, new ArrayList<>(fields));
    }

    /**
     * The body's framing per RFC 9112 6.3 for a request (a response uses {@link #responseFraming}):
     * chunked, a length, or none. Both Transfer-Encoding and Content-Length, or lengths that disagree,
     * are refused: that ambiguity is how requests are smuggled past a proxy.
     */
    Framing requestFraming() throws Malformed {
        if (get("Transfer-Encoding") != null) {
            if (get("Content-Length") != null) throw new Malformed("both Transfer-Encoding and Content-Length");
            if (!isChunkedLast()) throw new Malformed("a Transfer-Encoding other than chunked");
            return Framing.CHUNKED_BODY;
        }
        long length = contentLength();
        return length < 0 ? Framing.NONE : Framing.length(length);
    }

    /** The response's framing, given the request's method and the response status. */
    Framing responseFraming(String requestMethod, int status) throws Malformed {
        if ("HEAD".equals(requestMethod) || status / 100 == 1 || status == 204 || status == 304) return Framing.NONE;
        if (get("Transfer-Encoding") != null) return isChunkedLast() ? Framing.CHUNKED_BODY : Framing.UNTIL_CLOSE;
        long length = contentLength();
        return length < 0 ? Framing.UNTIL_CLOSE : Framing.length(length);
    }

    private boolean isChunkedLast() {
        List<String> te = all("Transfer-Encoding");
        String[] codings = String.join(",", te).split(",");
        return codings.length > 0 && codings[codings.length - 1].strip().equalsIgnoreCase("chunked"); // "," lists none
    }

    private long contentLength() throws Malformed {
        long length = -1;
        for (String v : all("Content-Length")) {
            for (String part : v.split(",")) {
                String p = part.strip();
                if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(Character::isDigit)) {
                    throw new Malformed("an invalid Content-Length");
                }
                long l = Long.parseLong(p);
                if (length >= 0 && l != length) throw new Malformed("Content-Length values that disagree");
                length = l;
            }
        }
        return length;
    }

    void write(OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder(startLine.length() + 32 * fields.size()).append(startLine).append("\r\n");
        for (String[] f : fields) sb.append(f[0]).append(": ").append(f[1]).append("\r\n");
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** How a message body is delimited. */
    record Framing(Kind kind, long length) {
        enum Kind { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

        static final Framing NONE = new Framing(Kind.NONE, 0);
        static final Framing CHUNKED_BODY = new Framing(Kind.CHUNKED, -1);
        static final Framing UNTIL_CLOSE = new Framing(Kind.UNTIL_CLOSE, -1);

        static Framing length(long n) {
            return n == 0 ? NONE : new Framing(Kind.LENGTH, n);
        }
    }
}
