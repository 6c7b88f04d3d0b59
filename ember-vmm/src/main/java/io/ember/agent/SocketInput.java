package io.ember.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A buffered stream over a blocking socket channel. Unlike Channels.newInputStream it holds no
 * monitor while blocked in read, so a virtual reader thread never pins its carrier.
 */
final class SocketInput extends InputStream {
    private final SocketChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).flip();

    SocketInput(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!buf.hasRemaining()) {
            buf.clear();
            int n = channel.read(buf);
            buf.flip();
            if (n < 0) return -1;
        }
        int k = Math.min(len, buf.remaining());
        buf.get(b, off, k);
        return k;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
