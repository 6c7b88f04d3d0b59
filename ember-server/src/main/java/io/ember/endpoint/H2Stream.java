package io.ember.endpoint;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MetaData;

/**
 * One client stream of an HTTP/2 connection: its request, the body the client sends (held only up to the window we
 * gave it, so a stream whose application does not read cannot make us buffer more), and the window for what we send.
 * The connection's reader fills it; the stream's exchange drains it on its own thread.
 */
final class H2Stream {
    final int id;
    final MetaData.Request request;
    /** The request's HEADERS ended the stream: it has no body (whatever has arrived since, nothing will). */
    final boolean bodiless;
    private final ArrayDeque<byte[]> body = new ArrayDeque<>();
    private boolean ended;
    private HttpFields trailers;
    private volatile boolean reset;
    /** Guarded by the connection's {@link H2Out} (flow control is decided there). */
    private long sendWindow;
    /** Bytes the client may still send on this stream before we update its window. */
    private int receiveWindow;
    private volatile Runnable onReset = () -> { };

    H2Stream(int id, MetaData.Request request, int sendWindow, int receiveWindow, boolean endStream) {
        this.id = id;
        this.request = request;
        this.sendWindow = sendWindow;
        this.receiveWindow = receiveWindow;
        this.ended = endStream;
        this.bodiless = endStream;
    }

    long sendWindow() {
        return sendWindow;
    }

    void consumeSendWindow(long n) {
        sendWindow -= n;
    }

    /** Body bytes from the client; false when they overflow the window we gave (a FLOW_CONTROL_ERROR). */
    synchronized boolean received(byte[] data, int flowControlLength, boolean endStream) {
        receiveWindow -= flowControlLength;
        if (receiveWindow < 0) return false;
        if (data.length > 0) body.add(data);
        if (endStream) ended = true;
        notifyAll();
        return true;
    }

    synchronized void receivedTrailers(HttpFields fields) {
        trailers = fields;
        ended = true;
        notifyAll();
    }

    /** The window we give back once the exchange took {@code n} bytes. */
    synchronized void reopened(int n) {
        receiveWindow += n;
    }

    /**
     * The next piece of the request body, waiting for it; null at its end. Throws if the stream was reset or the
     * client sent nothing for {@code idleMs}.
     */
    synchronized byte[] take(int idleMs) throws IOException {
        long deadline = System.nanoTime() + idleMs * 1_000_000L;
        while (body.isEmpty() && !ended && !reset) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) throw new IOException("the client sent no more of the request body for " + idleMs + " ms");
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
        if (reset) throw new IOException("stream " + id + " was reset by the client");
        return body.poll();
    }

    synchronized HttpFields trailers() {
        return trailers;
    }

    synchronized boolean requestEnded() {
        return ended;
    }

    boolean reset() {
        return reset;
    }

    /** The client reset the stream (or the connection ended): the exchange stops and its upstream is closed. */
    void markReset() {
        reset = true;
        synchronized (this) {
            notifyAll();
        }
        onReset.run();
    }

    void onReset(Runnable action) {
        onReset = action;
        if (reset) action.run();
    }
}
