package io.ember.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One CONNECT stream. Credit goes back to the guest as the reader consumes, so the host holds at
 * most a window of unread bytes per connection; writes wait for the guest's credit.
 */
final class TcpSession implements GuestSocket {
    private static final long FOREVER = Long.MAX_VALUE / 4;

    private final AgentChannel ch;
    private final Slot slot;
    private final ReentrantLock readLock = new ReentrantLock(), writeLock = new ReentrantLock();
    private final Input input = new Input();
    private final Output output = new Output();
    private volatile boolean closed;
    private volatile AgentException error; // the guest's ERROR for this connection

    TcpSession(AgentChannel ch, Slot slot) {
        this.ch = ch;
        this.slot = slot;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void close() {
        closed = true;
        ch.cancel(slot);
    }

    private static IOException io(AgentException e) {
        return new IOException(e.getMessage(), e);
    }

    private IOException closedError() {
        AgentException e = error;
        return e != null ? io(e) : new IOException("the guest socket is closed");
    }

    private final class Input extends InputStream {
        private byte[] chunk;
        private int pos;
        private boolean eof;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            try {
                readLock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            try {
                if (len == 0) return 0;
                while (chunk == null) {
                    if (eof) return -1;
                    if (error != null) throw io(error);
                    if (closed) throw closedError();
                    if (!fill()) return -1;
                }
                int n = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, n);
                pos += n;
                if (pos == chunk.length) {
                    int consumed = chunk.length;
                    chunk = null;
                    ch.returnCredit(slot, consumed);
                }
                return n;
            } catch (AgentException e) {
                throw io(e);
            } finally {
                readLock.unlock();
            }
        }

        /** Takes the next frame: false at end of stream. */
        private boolean fill() throws AgentException, IOException {
            Slot.Msg m;
            try {
                m = slot.take(Slot.deadline(java.time.Duration.ofNanos(FOREVER)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from the guest socket");
            }
            if (m == null) throw closedError(); // cancelled
            switch (m.type()) {
                case Proto.TCP_DATA -> {
                    if (m.data().length == 0) {
                        eof = true;
                        return false;
                    }
                    chunk = m.data();
                    pos = 0;
                    return true;
                }
                case Proto.ERROR -> {
                    error = AgentChannel.guestError(m);
                    throw io(error);
                }
                case Proto.OK -> { // both directions ended; the empty TCP_DATA came first
                    eof = true;
                    return false;
                }
                default -> throw new AgentException("unexpected " + Proto.name(m.type()) + " on " + slot.name(), true, null);
            }
        }

        @Override
        public void close() {
            TcpSession.this.close();
        }
    }

    private final class Output extends OutputStream {
        private boolean shut;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            try {
                writeLock.lockInterruptibly();
                try {
                    if (shut) throw new IOException("the output of the guest socket is closed");
                    while (len > 0) {
                        long credit = slot.awaitCredit(System.nanoTime() + FOREVER);
                        if (credit < 0) throw closedError();
                        int n = (int) Math.min(Math.min(len, credit), Proto.MAX_CHUNK);
                        slot.spend(n);
                        ch.send(slot.id, Proto.TCP_DATA, b, off, n);
                        off += n;
                        len -= n;
                    }
                } finally {
                    writeLock.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the guest socket");
            } catch (AgentException e) {
                throw io(e);
            }
        }

        /** Half-close: an empty TCP_DATA. */
        @Override
        public void close() throws IOException {
            writeLock.lock();
            try {
                if (shut) return;
                shut = true;
                if (!slot.ended() && !closed) {
                    slot.hostEnded();
                    ch.send(slot.id, Proto.TCP_DATA, new byte[0]);
                }
            } catch (AgentException e) {
                throw io(e);
            } finally {
                writeLock.unlock();
            }
        }
    }
}
