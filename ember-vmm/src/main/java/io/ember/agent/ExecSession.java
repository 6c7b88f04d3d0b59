package io.ember.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One EXEC stream. Credit for output goes back to the guest when the caller comes back for the
 * next event, so the output held by the host never exceeds the window, whatever the reader's pace.
 */
final class ExecSession implements ExecStream {
    private final AgentChannel ch;
    private final Slot slot;
    private final long pid;
    private final boolean stdin, terminal;
    private final long backstop; // System.nanoTime deadline for EXIT, 0 = none
    private final ReentrantLock readLock = new ReentrantLock(), stdinLock = new ReentrantLock();
    private boolean startedSeen, exited, stdinClosed;
    private volatile boolean closed;
    private long lastChunk;

    ExecSession(AgentChannel ch, Slot slot, long pid, boolean stdin, boolean terminal, long backstop) {
        this.ch = ch;
        this.slot = slot;
        this.pid = pid;
        this.stdin = stdin;
        this.terminal = terminal;
        this.backstop = backstop;
    }

    @Override
    public ExecEvent next(Duration timeout) throws AgentException, InterruptedException {
        readLock.lockInterruptibly();
        try {
            return nextLocked(timeout);
        } finally {
            readLock.unlock();
        }
    }

    private ExecEvent nextLocked(Duration timeout) throws AgentException, InterruptedException {
        if (!startedSeen) {
            startedSeen = true;
            return new ExecEvent.Started(pid);
        }
        if (exited || closed) return null;
        if (lastChunk > 0) {
            ch.returnCredit(slot, lastChunk);
            lastChunk = 0;
        }
        long deadline = Slot.deadline(timeout);
        boolean useBackstop = backstop != 0 && backstop - deadline < 0;
        Slot.Msg m = slot.take(useBackstop ? backstop : deadline);
        if (m == null) {
            if (useBackstop && System.nanoTime() - backstop >= 0) {
                // The stream's end, not the channel's: an agent of version 1 waits for every holder of the command's
                // pipes, and a detached child (`setsid sleep 100 &`) may hold them for ever. The rest of the channel
                // is fine, so this stream alone is given up.
                exited = true;
                ch.cancel(slot);
                throw new AgentException(AgentClient.ETIMEDOUT, "the command did not end within its timeout + "
                        + ch.exitBackstop.toMillis() + " ms; its stream was cancelled");
            }
            return null;
        }
        return switch (m.type()) {
            case Proto.STDOUT -> {
                lastChunk = m.data().length;
                yield new ExecEvent.Stdout(m.data());
            }
            case Proto.STDERR -> {
                lastChunk = m.data().length;
                yield new ExecEvent.Stderr(m.data());
            }
            case Proto.EXIT -> {
                exited = true;
                yield exit(m.fields());
            }
            default -> throw new AgentException("unexpected " + Proto.name(m.type()) + " on " + slot.name(), true, null);
        };
    }

    private static ExecEvent.Exit exit(Fields f) throws AgentException {
        try {
            long code = f.integer(Proto.CODE);
            long sig = f.integer(Proto.SIGNO, 0);
            int c = code < Integer.MIN_VALUE || code > Integer.MAX_VALUE ? -1 : (int) code;
            int s = sig < 0 || sig > 64 ? 0 : (int) sig;
            return new ExecEvent.Exit(c, s, f.integer(Proto.TIMED_OUT, 0) != 0);
        } catch (ProtocolViolation v) { // checked on arrival
            throw new AgentException(v.getMessage(), true, null);
        }
    }

    @Override
    public void writeStdin(byte[] data, int off, int len) throws AgentException, InterruptedException {
        Objects.checkFromIndexSize(off, len, data.length);
        stdinLock.lockInterruptibly();
        try {
            checkStdin();
            while (len > 0) {
                long credit = slot.awaitCredit(Long.MAX_VALUE / 2 + System.nanoTime());
                if (credit < 0) throw new AgentException(AgentClient.EPIPE, closed ? "the exec stream is closed"
                        : "the process has exited; stdin is closed");
                int n = (int) Math.min(Math.min(len, credit), Proto.MAX_CHUNK);
                slot.spend(n);
                ch.send(slot.id, Proto.STDIN, data, off, n);
                off += n;
                len -= n;
            }
        } finally {
            stdinLock.unlock();
        }
    }

    @Override
    public void closeStdin() throws AgentException {
        stdinLock.lock();
        try {
            checkStdin();
            stdinClosed = !terminal; // a terminal takes ^D and stays open
            if (!slot.ended() && !closed) ch.send(slot.id, Proto.STDIN, new byte[0]);
        } finally {
            stdinLock.unlock();
        }
    }

    private void checkStdin() throws AgentException {
        if (!stdin) throw new AgentException(AgentClient.EBADF, "the command was started without stdin");
        if (stdinClosed) throw new AgentException(AgentClient.EPIPE, "stdin is already closed");
    }

    @Override
    public void signal(int signo) throws AgentException {
        if (signo < 1 || signo > 64) throw new IllegalArgumentException("signal " + signo);
        if (slot.ended() || closed) return;
        ch.send(slot.id, Proto.SIGNAL, Fields.builder().integer(Proto.SIGNO, signo).build());
    }

    @Override
    public void resize(int rows, int cols) throws AgentException {
        Terminal t = new Terminal(rows, cols);
        if (slot.ended() || closed) return;
        ch.send(slot.id, Proto.RESIZE, Fields.builder().integer(Proto.ROWS, t.rows()).integer(Proto.COLS, t.cols()).build());
    }

    @Override
    public void close() {
        closed = true;
        ch.cancel(slot);
    }

}
