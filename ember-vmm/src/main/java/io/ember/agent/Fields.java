package io.ember.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The field codec of control payloads: {@code tag(1) | length(4, BE) | value}. Integers are 8
 * bytes, signed big-endian. Unknown tags are kept but ignored by the getters.
 */
final class Fields {
    private final byte[] payload;
    private final int[] tags, offsets, lengths;

    private Fields(byte[] payload, int[] tags, int[] offsets, int[] lengths) {
        this.payload = payload;
        this.tags = tags;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    static Fields parse(byte[] p) throws ProtocolViolation {
        List<int[]> found = new ArrayList<>();
        int at = 0;
        while (at < p.length) {
            if (p.length - at < 5) throw new ProtocolViolation("truncated field header at offset " + at);
            int tag = p[at] & 0xFF;
            long len = FrameCodec.getInt(p, at + 1) & 0xFFFF_FFFFL;
            at += 5;
            if (len > p.length - at)
                throw new ProtocolViolation("field " + tag + " of " + len + " bytes overruns the payload");
            found.add(new int[] {tag, at, (int) len});
            at += (int) len;
        }
        int n = found.size();
        int[] t = new int[n], o = new int[n], l = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = found.get(i)[0];
            o[i] = found.get(i)[1];
            l[i] = found.get(i)[2];
        }
        return new Fields(p, t, o, l);
    }

    private int index(int tag) {
        for (int i = 0; i < tags.length; i++) if (tags[i] == tag) return i;
        return -1;
    }

    boolean has(int tag) {
        return index(tag) >= 0;
    }

    long integer(int tag) throws ProtocolViolation {
        int i = index(tag);
        if (i < 0) throw new ProtocolViolation("missing integer field " + tag);
        return integerAt(i);
    }

    long integer(int tag, long absent) throws ProtocolViolation {
        int i = index(tag);
        return i < 0 ? absent : integerAt(i);
    }

    private long integerAt(int i) throws ProtocolViolation {
        if (lengths[i] != 8) throw new ProtocolViolation("integer field " + tags[i] + " of " + lengths[i] + " bytes");
        long v = 0;
        for (int k = 0; k < 8; k++) v = v << 8 | (payload[offsets[i] + k] & 0xFF);
        return v;
    }

    String string(int tag) throws ProtocolViolation {
        String s = string(tag, null);
        if (s == null) throw new ProtocolViolation("missing string field " + tag);
        return s;
    }

    String string(int tag, String absent) {
        int i = index(tag);
        return i < 0 ? absent : new String(payload, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    int valueLength(int tag) {
        int i = index(tag);
        return i < 0 ? -1 : lengths[i];
    }

    List<String> strings(int tag) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tags.length; i++)
            if (tags[i] == tag) out.add(new String(payload, offsets[i], lengths[i], StandardCharsets.UTF_8));
        return out;
    }

    /** Builds a control payload. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder bytes(int tag, byte[] v) {
            out.write(tag);
            byte[] len = new byte[4];
            FrameCodec.putInt(len, 0, v.length);
            out.writeBytes(len);
            out.writeBytes(v);
            return this;
        }

        Builder string(int tag, String v) {
            return bytes(tag, v.getBytes(StandardCharsets.UTF_8));
        }

        Builder integer(int tag, long v) {
            byte[] b = new byte[8];
            for (int k = 7; k >= 0; k--, v >>>= 8) b[k] = (byte) v;
            return bytes(tag, b);
        }

        int size() {
            return out.size();
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    static Builder builder() {
        return new Builder();
    }
}
