package io.ember.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Frame encoding. Reading checks the header (length, reserved bytes, type) before it allocates
 * the payload, so a hostile length never costs memory.
 */
final class FrameCodec {
    private FrameCodec() {}

    static byte[] encode(int stream, int type, byte[] payload, int off, int len) {
        if (len < 0 || len > Proto.MAX_FRAME) throw new IllegalArgumentException("frame payload of " + len + " bytes");
        if (Proto.isData(type) && len > Proto.MAX_CHUNK)
            throw new IllegalArgumentException("data chunk of " + len + " bytes above MAX_CHUNK");
        byte[] out = new byte[Proto.HEADER + len];
        putInt(out, 0, len);
        putInt(out, 4, stream);
        out[8] = (byte) type;
        if (len > 0) System.arraycopy(payload, off, out, Proto.HEADER, len);
        return out;
    }

    static byte[] encode(int stream, int type, byte[] payload) {
        return encode(stream, type, payload, 0, payload.length);
    }

    /**
     * Reads the next frame sent by the guest; null at a clean end of stream (between frames).
     *
     * @throws ProtocolViolation for a bad header (checked before the payload is read)
     * @throws EOFException when the stream ends inside a frame
     */
    static Frame read(InputStream in) throws IOException, ProtocolViolation {
        byte[] h = new byte[Proto.HEADER];
        int got = readFully(in, h, 0, h.length);
        if (got == 0) return null;
        if (got < h.length) throw new EOFException("end of stream inside a frame header");
        long length = getInt(h, 0) & 0xFFFF_FFFFL;
        int stream = getInt(h, 4);
        int type = h[8] & 0xFF;
        checkHeader(length, stream, type, h[9] | h[10] | h[11]);
        byte[] payload = new byte[(int) length];
        if (readFully(in, payload, 0, payload.length) < payload.length)
            throw new EOFException("end of stream inside a " + Proto.name(type) + " frame");
        return new Frame(stream, type, payload);
    }

    static void checkHeader(long length, int stream, int type, int reserved) throws ProtocolViolation {
        if (length > Proto.MAX_FRAME)
            throw new ProtocolViolation("frame length " + length + " above MAX_FRAME (" + Proto.MAX_FRAME + ")");
        if (reserved != 0) throw new ProtocolViolation("nonzero reserved bytes in a frame header");
        if (!Proto.fromGuest(type))
            throw new ProtocolViolation("unknown frame type " + Proto.name(type) + " on stream "
                    + Integer.toUnsignedString(stream));
        if (Proto.isData(type) && length > Proto.MAX_CHUNK)
            throw new ProtocolViolation(Proto.name(type) + " chunk of " + length + " bytes above MAX_CHUNK");
    }

    /** Returns how many bytes were read: fewer than asked only at end of stream. */
    private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = in.read(b, off + n, len - n);
            if (r < 0) break;
            n += r;
        }
        return n;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
