package io.ember.tools;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bytes from the guest as text for the model, and the cutting of text that is too long. */
final class Text {
    /** What a cut file view ends with (the words Anthropic's reference editor uses, which models know). */
    static final String CLIPPED = "<response clipped><NOTE>To save on context only part of this file has been shown to you. "
            + "You should retry this tool after you have searched inside the file with `grep -n` in order to find the line "
            + "numbers of what you are looking for.</NOTE>";

    private Text() {}

    /**
     * Command output as text: invalid UTF-8 becomes U+FFFD, and so do NUL and the C0 controls other than tab,
     * newline, carriage return and escape (binary output stays readable and safe to pass on as JSON text).
     */
    static String lenient(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b || c == 0x7f;
            if (bad && out == null) out = new StringBuilder(s.length()).append(s, 0, i);
            if (out != null) out.append(bad ? '\uFFFD' : c);
        }
        return out == null ? s : out.toString();
    }

    static String lenient(byte[] b) {
        return lenient(b, 0, b.length);
    }

    /** The file's bytes as UTF-8 text, or null when they are not text (a NUL byte, or invalid UTF-8). */
    static String strict(byte[] b) {
        for (byte x : b) {
            if (x == 0) return null;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer c = d.decode(ByteBuffer.wrap(b));
            return c.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The length of the longest prefix of {@code b[0..len)} that does not end inside a UTF-8 sequence. */
    static int headBoundary(byte[] b, int len) {
        int i = len;
        int back = 0;
        while (i > 0 && back < 4 && (b[i - 1] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i == 0) return len;
        int lead = b[i - 1] & 0xFF;
        int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return need == back + 1 ? len : i - 1;
    }

    /** The offset of the first byte of {@code b} that does not continue a UTF-8 sequence (at most 3 bytes in). */
    static int tailBoundary(byte[] b) {
        int i = 0;
        while (i < b.length && i < 3 && (b[i] & 0xC0) == 0x80) i++;
        return i;
    }

    /** {@code s} when it has at most {@code max} characters; else its beginning and end with a note between them. */
    static String cutMiddle(String s, int max) {
        if (s.length() <= max) return s;
        int keep = Math.max(0, max - NOTE_ROOM);
        String head = s.substring(0, keep / 2), tail = s.substring(s.length() - (keep - keep / 2));
        return join(head, tail, (s.length() - head.length() - tail.length()) + " characters left out");
    }

    /**
     * The beginning and end of an output of {@code totalBytes} whose middle was never fetched, within {@code max}
     * characters in all.
     */
    static String headAndTail(String head, String tail, long totalBytes, int max) {
        int keep = Math.max(0, max - NOTE_ROOM);
        String h = head.length() > keep / 2 ? head.substring(0, keep / 2) : head;
        int t = keep - h.length();
        String e = tail.length() > t ? tail.substring(tail.length() - t) : tail;
        return join(h, e, "the output was " + totalBytes + " bytes, only its beginning and end are shown");
    }

    private static final int NOTE_ROOM = 300;

    private static String join(String head, String tail, String what) {
        return head + "\n\n[... output truncated: " + what + ". Send the output to a file and look at parts of it "
                + "(grep, head, tail, sed -n) to see the rest ...]\n\n" + tail;
    }
}
