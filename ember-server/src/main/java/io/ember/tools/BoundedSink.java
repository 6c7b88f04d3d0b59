package io.ember.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Keeps the first {@code cap} bytes written to it and refuses more: the guest's transfer is then cancelled, so
 * a huge file or output costs the host {@code cap} bytes, not its size.
 */
final class BoundedSink extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final int cap;
    private boolean overflowed;

    BoundedSink(int cap) {
        this.cap = cap;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int room = cap - buf.size();
        buf.write(b, off, Math.max(0, Math.min(room, len)));
        if (len > room) {
            overflowed = true;
            throw new IOException("more than " + cap + " bytes");
        }
    }

    boolean overflowed() {
        return overflowed;
    }

    byte[] bytes() {
        return buf.toByteArray();
    }
}
