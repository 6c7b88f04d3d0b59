package io.ember.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent connection: a reader thread that checks every guest frame and hands it to its
 * stream, serialized writes with a stall deadline, and the failure that ends it all. The reader
 * never writes, so a guest that stops reading cannot stop us from reading.
 */
final class AgentChannel {
    private static final Logger log = LoggerFactory.getLogger(AgentChannel.class);
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "agent-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.setRemoveOnCancelPolicy(true); // one deadline per write: cancelled ones must not pile up
    }
    private static final long CANCEL_GRACE = TimeUnit.SECONDS.toNanos(60);

    final AgentLimits limits;
    /** How long after an exec's own timeout the host waits for EXIT (the protocol says 10 s; tests shorten it). */
    Duration exitBackstop = Duration.ofSeconds(10);
    private final SocketChannel socket;
    private final String label;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final ArrayDeque<CompletableFuture<Fields>> hellos = new ArrayDeque<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Stream ids start at 1, or at a random point on the channel of a restored guest: it may still send
     * frames of streams it had with the host before the snapshot, and those ids must not land in ours.
     */
    private volatile int firstId = 1;
    private final AtomicInteger nextId = new AtomicInteger(firstId);
    /** Set until the guest answered RESTORED: frames of an earlier host's streams are dropped meanwhile. */
    private volatile boolean formerStreams;
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private volatile String closedReason;

    AgentChannel(SocketChannel socket, AgentLimits limits, String label) {
        this.socket = socket;
        this.limits = limits;
        this.label = label;
        Thread.ofVirtual().name("agent-reader " + label).start(this::readLoop);
    }

    /** See {@link GuestAgent#expectRestored()}: called before any stream is opened. */
    void expectFormerStreams() {
        if (!slots.isEmpty()) throw new IllegalStateException("streams are open already");
        firstId = 1 + ThreadLocalRandom.current().nextInt(1 << 30);
        nextId.set(firstId);
        formerStreams = true;
    }

    /** RESTORED was answered: the guest has ended every stream from before the snapshot. */
    void formerStreamsEnded() {
        formerStreams = false;
    }

    CompletableFuture<String> failure() {
        return failure;
    }

    // ---- reading ----------------------------------------------------------------------------

    private void readLoop() {
        try (InputStream in = new SocketInput(socket)) {
            while (closedReason == null) {
                Frame f = FrameCodec.read(in);
                if (f == null) {
                    fail("agent channel closed by the guest (end of stream)");
                    return;
                }
                dispatch(f);
            }
        } catch (ProtocolViolation v) { // its message may quote the guest: the VM's failure reason must stay ours
            fail("agent protocol violation: " + printable(v.getMessage()));
        } catch (EOFException e) {
            fail("agent channel closed by the guest (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            fail("agent channel read failed: " + e);
        }
    }

    private void dispatch(Frame f) throws ProtocolViolation {
        if (f.stream() == 0) {
            if (f.type() != Proto.HELLO_OK) throw new ProtocolViolation(f.describe() + " (only HELLO_OK uses stream 0)");
            Fields hello = Fields.parse(f.payload());
            hello.integer(Proto.F_VERSION);
            CompletableFuture<Fields> waiter;
            synchronized (hellos) {
                waiter = hellos.poll();
            }
            if (waiter == null) throw new ProtocolViolation("HELLO_OK that answers no HELLO");
            waiter.complete(hello);
            return;
        }
        Slot slot = slots.get(f.stream());
        if (slot == null && formerStreams && (f.stream() < firstId || f.stream() >= nextId.get())) {
            log.debug("{}: dropped {} of a stream from before the snapshot", label, f.describe());
            return;
        }
        if (slot == null) throw new ProtocolViolation(f.describe() + ", which is not open");
        if (slot.deliver(f)) slots.remove(f.stream(), slot);
    }

    // ---- streams and writing ----------------------------------------------------------------

    Slot open(Slot.Kind kind) throws AgentException {
        check();
        int id = nextId.getAndIncrement();
        if (id == 0) throw new AgentException("agent stream ids exhausted", true, null);
        Slot s = new Slot(id, kind, limits.maxListEntries());
        slots.put(id, s);
        if (closedReason != null) s.fail(closedReason);
        return s;
    }

    /** Drops a stream without telling the guest, which ends it by itself (RESTORED); its stragglers are then dropped. */
    void forget(Slot s) {
        s.cancel();
        slots.remove(s.id, s);
    }

    /** Abandons a stream: the guest gets CANCEL, stragglers are tolerated for a while, then forgotten. */
    void cancel(Slot s) {
        if (!s.cancel()) return;
        long now = System.nanoTime();
        slots.values().removeIf(other -> other.stale(now, CANCEL_GRACE));
        try {
            send(s.id, Proto.CANCEL, new byte[0], 0, 0);
        } catch (AgentException e) {
            log.debug("CANCEL of {} not sent: {}", s.name(), e.getMessage());
        }
    }

    void send(int stream, int type, byte[] payload) throws AgentException {
        send(stream, type, payload, 0, payload.length);
    }

    void send(int stream, int type, byte[] payload, int off, int len) throws AgentException {
        ByteBuffer buf = ByteBuffer.wrap(FrameCodec.encode(stream, type, payload, off, len));
        writeLock.lock();
        try {
            check();
            long ms = limits.writeStallTimeout().toMillis();
            ScheduledFuture<?> stall = TIMER.schedule(() -> fail("agent channel stalled: the guest read nothing for "
                    + ms + " ms"), ms, TimeUnit.MILLISECONDS);
            try {
                while (buf.hasRemaining()) socket.write(buf);
            } finally {
                stall.cancel(false);
            }
        } catch (IOException e) {
            fail("agent channel write failed: " + e);
            check();
        } finally {
            writeLock.unlock();
        }
    }

    /** Sends the credit a consumer earned on {@code s}, if any is due. */
    void returnCredit(Slot s, long consumed) throws AgentException {
        long n = s.consumed(consumed);
        if (n > 0) send(s.id, Proto.WINDOW_T, Fields.builder().integer(Proto.N, n).build());
    }

    /** The next frame of {@code s}; breaks the channel when the guest stays silent past {@code timeout}. */
    Slot.Msg await(Slot s, Duration timeout, String what) throws AgentException {
        try {
            Slot.Msg m = s.take(Slot.deadline(timeout));
            if (m == null && s.cancelled()) throw new AgentException(what + " was cancelled", false, null);
            if (m == null) {
                fail("agent did not answer " + what + " within " + timeout.toMillis() + " ms");
                check();
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(s);
            throw new AgentException("interrupted while waiting for the agent", false, e);
        }
    }

    /** An ERROR frame as the exception the caller sees. */
    static AgentException guestError(Slot.Msg m) {
        try {
            long errno = m.fields().integer(Proto.ERRNO);
            String msg = printable(m.fields().string(Proto.MESSAGE, ""));
            int e = errno < 0 || errno > 4095 ? 0 : (int) errno;
            return new AgentException(e, msg.isEmpty() ? "error " + errno + " from the agent" : msg);
        } catch (ProtocolViolation v) { // checked on arrival; cannot happen
            return new AgentException(0, v.getMessage());
        }
    }

    /** Guest text for logs and API messages: bounded, without control characters. */
    static String printable(String s) {
        String t = s.length() > 1000 ? s.substring(0, 1000) + "..." : s;
        return t.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    // ---- hello, failure ---------------------------------------------------------------------

    CompletableFuture<Fields> hello() throws AgentException {
        CompletableFuture<Fields> f = new CompletableFuture<>();
        synchronized (hellos) {
            check();
            hellos.add(f);
        }
        send(0, Proto.HELLO, new byte[0]);
        return f;
    }

    /** Throws the channel's failure if it has one. */
    void check() throws AgentException {
        String r = closedReason;
        if (r != null) throw new AgentException(r, true, null);
    }

    /** Breaks the channel: every waiting and future call fails with {@code reason}. */
    void fail(String reason) {
        if (shutdown(reason)) {
            log.warn("agent channel {} failed: {}", label, reason);
            failure.complete(reason);
        }
    }

    /** Host-side close: calls fail like after a failure, but {@link #failure()} is not completed. */
    void close() {
        shutdown("agent connection closed by the host");
    }

    private boolean shutdown(String reason) {
        synchronized (this) {
            if (closedReason != null) return false;
            closedReason = reason;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        slots.values().forEach(s -> s.fail(reason));
        synchronized (hellos) {
            hellos.forEach(h -> h.completeExceptionally(new AgentException(reason, true, null)));
            hellos.clear();
        }
        return true;
    }
}
