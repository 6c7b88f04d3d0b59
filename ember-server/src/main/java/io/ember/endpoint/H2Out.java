package io.ember.endpoint;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.Frame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.generator.Generator;
import org.eclipse.jetty.http2.hpack.HpackException;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.MappedByteBufferPool;

/**
 * The frames one side of an HTTP/2 connection writes (Jetty's generator: HPACK, CONTINUATION splitting to the peer's
 * frame size), one frame sequence at a time, and the send half of flow control: DATA waits for window on the
 * connection and on its stream. The encoder keeps no dynamic table (capacity 0), so a header block is valid whatever
 * table size the peer allows and whatever other blocks went before.
 */
final class H2Out {
    static final int DEFAULT_WINDOW = 65_535;
    private static final ByteBufferPool POOL = new MappedByteBufferPool();

    private final OutputStream out;
    private final Generator generator = new Generator(POOL, 0, 0);
    private long connectionWindow = DEFAULT_WINDOW;
    private int initialStreamWindow = DEFAULT_WINDOW;
    private int maxFrameSize = 16_384;
    private boolean closed;

    H2Out(OutputStream out) {
        this.out = out;
        generator.getHpackEncoder().setTableCapacity(0);
    }

    /** A control frame (SETTINGS, PING, RST_STREAM, WINDOW_UPDATE, GOAWAY, or a preface), written at once. */
    synchronized void control(Frame frame) throws IOException {
        ByteBufferPool.Lease lease = new ByteBufferPool.Lease(POOL);
        try {
            generator.control(lease, frame);
        } catch (HpackException e) {
            throw new IOException("cannot encode a frame: " + e.getMessage(), e);
        }
        write(lease);
    }

    synchronized void headers(int streamId, MetaData meta, boolean endStream) throws IOException {
        control(new HeadersFrame(streamId, meta, null, endStream));
    }

    /**
     * Writes {@code data} on {@code stream}, in as many frames as the windows and the peer's frame size make it,
     * waiting for window as needed. An empty {@code data} with {@code endStream} ends the stream at once.
     */
    void data(H2Stream stream, byte[] data, int off, int len, boolean endStream) throws IOException {
        int done = 0;
        while (true) {
            synchronized (this) {
                int n = 0;
                if (len - done > 0) {
                    while (!closed && !stream.reset() && (connectionWindow <= 0 || stream.sendWindow() <= 0)) {
                        try {
                            wait(1000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("waiting for HTTP/2 flow-control window");
                        }
                    }
                    if (closed) throw new IOException("the HTTP/2 connection is closed");
                    if (stream.reset()) throw new IOException("stream " + stream.id + " was reset");
                    n = (int) Math.min(Math.min(len - done, maxFrameSize), Math.min(connectionWindow, stream.sendWindow()));
                }
                boolean last = endStream && done + n == len;
                ByteBufferPool.Lease lease = new ByteBufferPool.Lease(POOL);
                generator.data(lease, new DataFrame(stream.id, ByteBuffer.wrap(data, off + done, n), last), n);
                connectionWindow -= n;
                stream.consumeSendWindow(n);
                write(lease);
                done += n;
                if (done == len) return;
            }
        }
    }

    synchronized void flush() throws IOException {
        out.flush();
    }

    /** WINDOW_UPDATE from the peer: on the connection ({@code stream} null) or on one stream. False on overflow. */
    synchronized boolean windowUpdated(H2Stream stream, int delta) {
        long after = (stream == null ? connectionWindow : stream.sendWindow()) + delta;
        if (after > Integer.MAX_VALUE) return false; // RFC 9113 6.9.1: a FLOW_CONTROL_ERROR
        if (stream == null) connectionWindow = after;
        else stream.consumeSendWindow(-delta);
        notifyAll();
        return true;
    }

    /** A change of SETTINGS_INITIAL_WINDOW_SIZE applies to every open stream's window (RFC 9113 6.9.2). */
    synchronized void shiftStreamWindow(H2Stream stream, int delta) {
        stream.consumeSendWindow(-delta);
        notifyAll();
    }

    /** The peer's SETTINGS that shape what we send; returns the change to apply to every open stream's window. */
    synchronized int peerSettings(java.util.Map<Integer, Integer> settings) {
        int delta = 0;
        Integer window = settings.get(org.eclipse.jetty.http2.frames.SettingsFrame.INITIAL_WINDOW_SIZE);
        if (window != null) {
            delta = window - initialStreamWindow;
            initialStreamWindow = window;
        }
        Integer frame = settings.get(org.eclipse.jetty.http2.frames.SettingsFrame.MAX_FRAME_SIZE);
        if (frame != null && frame >= 16_384 && frame <= 16_777_215) {
            maxFrameSize = frame;
            generator.setMaxFrameSize(frame);
        }
        notifyAll();
        return delta;
    }

    synchronized int initialStreamWindow() {
        return initialStreamWindow;
    }

    synchronized void wake() {
        notifyAll();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void write(ByteBufferPool.Lease lease) throws IOException {
        for (ByteBuffer b : lease.getByteBuffers()) {
            if (b.hasArray()) {
                out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            } else {
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                out.write(copy);
            }
        }
        lease.recycle();
        out.flush();
    }
}
