package io.ember.endpoint;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The client's input with a deadline over a request head as a whole, not per read: a socket read timeout alone lets
 * a client that sends one byte just before each timeout hold its connection (and a slot of the listener) for ever.
 * While armed, each read may wait only until the deadline: the first byte's (from arming), then, once a byte came,
 * the whole head's (from that byte); past it, SocketTimeoutException. Disarmed, reads wait the socket's own timeout.
 */
final class HeadDeadline extends FilterInputStream {
    private final Socket socket;
    private long firstByteBy, headWithinNanos, headBy;
    private boolean armed, started;

    HeadDeadline(Socket socket, InputStream in) {
        super(in);
        this.socket = socket;
    }

    /** From now on: a first byte within {@code firstByteMs}, and the head within {@code headMs} of that byte. */
    void arm(int firstByteMs, int headMs) {
        firstByteBy = System.nanoTime() + firstByteMs * 1_000_000L;
        headWithinNanos = headMs * 1_000_000L;
        armed = true;
        started = false;
    }

    /** Marks a head that began in bytes already buffered above this stream: only the whole head's deadline is left. */
    void headStarted() {
        if (armed && !started) {
            started = true;
            headBy = System.nanoTime() + headWithinNanos;
        }
    }

    /** The head is read: reads wait the socket's own timeout again, which {@code idleMs} becomes. */
    void disarm(int idleMs) throws IOException {
        armed = false;
        socket.setSoTimeout(idleMs);
    }

    private void beforeRead() throws IOException {
        if (!armed) return;
        long left = (started ? headBy : firstByteBy) - System.nanoTime();
        if (left <= 0) throw new SocketTimeoutException(started ? "the request head took too long" : "no request came");
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L)));
    }

    private void afterRead(int n) {
        if (n > 0) headStarted();
    }

    @Override
    public int read() throws IOException {
        beforeRead();
        int b = super.read();
        afterRead(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        int n = super.read(b, off, len);
        afterRead(n);
        return n;
    }
}
