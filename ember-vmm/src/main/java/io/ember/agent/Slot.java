package io.ember.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host's view of one open stream. The reader thread {@link #deliver}s guest frames after
 * checking them against what this kind of stream may receive (order, window, fields); the caller
 * that owns the stream takes them. Memory is bounded: data by the window, control frames by the
 * stream's grammar (one STARTED, one EXIT, ...), list entries by a cap.
 */
final class Slot {
    enum Kind { EXEC, SPAWN, FILE_WRITE, FILE_READ, STAT, LIST, SIMPLE, TCP, METADATA }

    /** A checked guest frame: data frames carry {@code data}, control frames {@code fields}. */
    record Msg(int type, byte[] data, Fields fields) {}

    /** Internal marker queued when a listing passed the entry cap. */
    static final int LIST_OVERFLOW = -1;
    private static final int CREDIT_BATCH = 65_536;
    private static final int MAX_QUEUED = 16_384;
    /** METADATA: requests taken off the inbox at once by their server; more waiting than this is a flood. */
    private static final int MAX_META_QUEUED = 64;
    private static final Set<String> FILE_TYPES = Set.of("file", "directory", "symlink", "other");

    final int id;
    final Kind kind;
    private final int maxEntries;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Msg> inbox = new ArrayDeque<>();
    private final List<FileStat> entries = new ArrayList<>();
    private boolean opened;          // EXEC: STARTED seen; FILE_READ: FILE_INFO seen; TCP: connected (OK seen)
    private boolean dataEnded;       // TCP: the guest's empty TCP_DATA seen
    private boolean hostEnded;       // TCP: the host's empty TCP_DATA sent
    private long announced, received; // FILE_READ size and bytes so far
    private long unreturned;         // guest data bytes whose credit has not been returned
    private long toReturn;           // consumed bytes not yet credited (batched)
    private long queuedBytes;        // data bytes in the inbox
    private long sendCredit = Proto.WINDOW;
    private boolean ended, cancelled;
    private long cancelledAt;
    private String broken;
    private volatile long lastActivity = System.nanoTime();

    Slot(int id, Kind kind, int maxEntries) {
        this.id = id;
        this.kind = kind;
        this.maxEntries = maxEntries;
    }

    String name() {
        return "stream " + Integer.toUnsignedString(id);
    }

    // ---- reader side ------------------------------------------------------------------------

    /** Checks and queues a guest frame; returns true when it was the stream's last frame. */
    boolean deliver(Frame f) throws ProtocolViolation {
        lastActivity = System.nanoTime();
        lock.lock();
        try {
            boolean last = accept(f);
            if (last) ended = true;
            changed.signalAll();
            return last;
        } finally {
            lock.unlock();
        }
    }

    private boolean accept(Frame f) throws ProtocolViolation {
        int t = f.type();
        if (t == Proto.WINDOW_T && (kind == Kind.FILE_WRITE || ((kind == Kind.EXEC || kind == Kind.TCP) && opened))) {
            long n = Fields.parse(f.payload()).integer(Proto.N);
            if (n <= 0 || n > Proto.WINDOW - sendCredit)
                throw violation("WINDOW of " + n + " bytes is not credit for data the host sent");
            sendCredit += n;
            return false;
        }
        if (t == Proto.ERROR && !(kind == Kind.EXEC && opened)) {
            Fields e = Fields.parse(f.payload());
            e.integer(Proto.ERRNO);
            queue(new Msg(t, null, e));
            return true;
        }
        switch (kind) {
            case EXEC -> {
                if (!opened && t == Proto.STARTED) {
                    Fields s = Fields.parse(f.payload());
                    if (s.integer(Proto.PID) <= 0) throw violation("STARTED with a pid that is not positive");
                    opened = true;
                    queue(new Msg(t, null, s));
                    return false;
                }
                if (opened && (t == Proto.STDOUT || t == Proto.STDERR)) {
                    data(f);
                    return false;
                }
                if (opened && t == Proto.EXIT) {
                    Fields x = Fields.parse(f.payload());
                    x.integer(Proto.CODE);
                    x.integer(Proto.SIGNO, 0);
                    x.integer(Proto.TIMED_OUT, 0);
                    queue(new Msg(t, null, x));
                    return true;
                }
            }
            case SPAWN -> {
                if (t == Proto.STARTED) { // the only answer: the process is not the stream's
                    Fields s = Fields.parse(f.payload());
                    if (s.integer(Proto.PID) <= 0) throw violation("STARTED with a pid that is not positive");
                    queue(new Msg(t, null, s));
                    return true;
                }
            }
            case FILE_WRITE, SIMPLE -> {
                if (t == Proto.OK) {
                    queue(new Msg(t, null, null));
                    return true;
                }
            }
            case TCP -> {
                if (t == Proto.OK && (!opened || (dataEnded && hostEnded))) { // connected, then: both directions ended
                    queue(new Msg(t, null, null));
                    if (opened) return true;
                    opened = true;
                    return false;
                }
                if (opened && !dataEnded && t == Proto.TCP_DATA) {
                    data(f);
                    if (f.length() == 0) {
                        dataEnded = true;
                        queue(new Msg(t, f.payload(), null));
                    }
                    return false;
                }
            }
            case METADATA -> {
                if (!opened && t == Proto.OK) { // the guest serves the endpoint from now on
                    opened = true;
                    queue(new Msg(t, null, null));
                    return false;
                }
                if (opened && t == Proto.META_REQUEST) {
                    Fields r = Fields.parse(f.payload());
                    long req = r.integer(Proto.REQ);
                    if (req < 1 || req > Integer.MAX_VALUE) throw violation("META_REQUEST with REQ " + req);
                    if (r.has(Proto.NAME) && (r.valueLength(Proto.NAME) < 1 || r.valueLength(Proto.NAME) > 128))
                        throw violation("META_REQUEST with a NAME of " + r.valueLength(Proto.NAME) + " bytes");
                    if (inbox.size() >= MAX_META_QUEUED) throw violation("more than " + MAX_META_QUEUED + " metadata requests queued");
                    queue(new Msg(t, null, r));
                    return false;
                }
            }
            case FILE_READ -> {
                if (!opened && t == Proto.FILE_INFO) {
                    Fields i = Fields.parse(f.payload());
                    announced = i.integer(Proto.SIZE);
                    if (announced < 0) throw violation("FILE_INFO with a negative size");
                    opened = true;
                    queue(new Msg(t, null, i));
                    return false;
                }
                if (opened && t == Proto.FILE_DATA) {
                    if (f.length() == 0) {
                        queue(new Msg(t, f.payload(), null));
                        return true;
                    }
                    received += f.length();
                    if (received > announced)
                        throw violation("file data beyond the " + announced + " bytes announced in FILE_INFO");
                    data(f);
                    return false;
                }
            }
            case STAT -> {
                if (t == Proto.STAT_RESULT) {
                    Fields s = Fields.parse(f.payload());
                    stat(s, null);
                    queue(new Msg(t, null, s));
                    return true;
                }
            }
            case LIST -> {
                if (t == Proto.LIST_ENTRY) {
                    Fields e = Fields.parse(f.payload());
                    FileStat entry = stat(e, entryName(e));
                    if (entries.size() < maxEntries) {
                        if (!cancelled) entries.add(entry);
                    } else if (entries.size() == maxEntries && !cancelled) {
                        entries.add(null); // marks the overflow once; the owner cancels the stream
                        queue(new Msg(LIST_OVERFLOW, null, null));
                    }
                    return false;
                }
                if (t == Proto.OK) {
                    queue(new Msg(t, null, null));
                    return true;
                }
            }
        }
        throw violation("unexpected " + Proto.name(t) + " on a " + kind + " stream");
    }

    /**
     * Queues data within the window. Small chunks are merged into the previous one of the same
     * type, and the count of queued frames is capped, so a guest sending one-byte frames cannot
     * make the host hold a window's worth of objects.
     */
    private void data(Frame f) throws ProtocolViolation {
        int n = f.length();
        if (n > Proto.WINDOW - unreturned)
            throw violation(Proto.name(f.type()) + " of " + n + " bytes exceeds the window ("
                    + (Proto.WINDOW - unreturned) + " bytes of credit left)");
        unreturned += n;
        if (n == 0 || cancelled) return;
        Msg last = inbox.peekLast();
        if (last != null && last.type() == f.type() && last.data() != null && last.data().length + n <= Proto.MAX_CHUNK) {
            byte[] merged = Arrays.copyOf(last.data(), last.data().length + n);
            System.arraycopy(f.payload(), 0, merged, last.data().length, n);
            inbox.pollLast();
            inbox.add(new Msg(f.type(), merged, null));
        } else {
            if (inbox.size() >= MAX_QUEUED) throw violation("more than " + MAX_QUEUED + " frames queued on one stream");
            inbox.add(new Msg(f.type(), f.payload(), null));
        }
        queuedBytes += n;
    }

    private void queue(Msg m) {
        if (!cancelled) inbox.add(m);
    }

    private ProtocolViolation violation(String what) {
        return new ProtocolViolation(name() + ": " + what);
    }

    private static String entryName(Fields e) throws ProtocolViolation {
        int len = e.valueLength(Proto.NAME);
        if (len < 1 || len > 255) throw new ProtocolViolation("LIST_ENTRY name of " + len + " bytes");
        String name = e.string(Proto.NAME);
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals(".."))
            throw new ProtocolViolation("LIST_ENTRY with an invalid name");
        return name;
    }

    static FileStat stat(Fields s, String name) throws ProtocolViolation {
        String type = s.string(Proto.TYPE);
        if (!FILE_TYPES.contains(type)) throw new ProtocolViolation("unknown file type in a stat: " + type);
        long size = s.integer(Proto.SIZE), mode = s.integer(Proto.MODE);
        if (size < 0 || mode < 0 || mode > 07777) throw new ProtocolViolation("stat with size " + size + " mode " + mode);
        return new FileStat(name, type, size, (int) mode, s.integer(Proto.MTIME_MS));
    }

    // ---- owner side -------------------------------------------------------------------------

    /** The next frame, or null when none arrived before {@code deadline} (System.nanoTime). */
    Msg take(long deadline) throws AgentException, InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (broken != null) throw new AgentException(broken, true, null);
                if (cancelled) return null;
                Msg m = inbox.poll();
                if (m != null && m.data() != null) queuedBytes -= m.data().length;
                if (m != null) return m;
                long wait = deadline - System.nanoTime();
                if (wait <= 0) return null;
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records that the owner consumed {@code n} data bytes; returns the credit to send now (0: later). */
    long consumed(long n) {
        lock.lock();
        try {
            toReturn += n;
            if (ended || cancelled || toReturn == 0 || (toReturn < CREDIT_BATCH && queuedBytes > 0)) return 0;
            long n2 = toReturn;
            toReturn = 0;
            unreturned -= n2; // before the WINDOW goes out: the guest may answer at once
            return n2;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for credit to send data: > 0 the credit, 0 on deadline, -1 when the stream ended or was cancelled. */
    long awaitCredit(long deadline) throws AgentException, InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (broken != null) throw new AgentException(broken, true, null);
                if (ended || cancelled) return -1;
                if (sendCredit > 0) return sendCredit;
                long wait = deadline - System.nanoTime();
                if (wait <= 0) return 0;
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** TCP: the host is about to send its empty TCP_DATA; only then may the guest end the stream with OK. */
    void hostEnded() {
        lock.lock();
        try {
            hostEnded = true;
        } finally {
            lock.unlock();
        }
    }

    void spend(int n) {
        lock.lock();
        try {
            sendCredit -= n;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the stream abandoned; returns true when a CANCEL should go to the guest. */
    boolean cancel() {
        lock.lock();
        try {
            if (cancelled || ended) return false;
            cancelled = true;
            cancelledAt = System.nanoTime();
            inbox.clear();
            queuedBytes = 0;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A cancelled stream whose stragglers no longer need tolerating. */
    boolean stale(long now, long graceNanos) {
        lock.lock();
        try {
            return cancelled && now - cancelledAt > graceNanos;
        } finally {
            lock.unlock();
        }
    }

    /** When the guest last sent anything on this stream (System.nanoTime). */
    long lastActivity() {
        return lastActivity;
    }

    boolean cancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    List<FileStat> entries() {
        lock.lock();
        try {
            return List.copyOf(entries.subList(0, Math.min(entries.size(), maxEntries)));
        } finally {
            lock.unlock();
        }
    }

    void fail(String reason) {
        lock.lock();
        try {
            if (broken == null) broken = reason;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static long deadline(java.time.Duration d) {
        long n = TimeUnit.NANOSECONDS.convert(d);
        return System.nanoTime() + Math.max(0, Math.min(n, Long.MAX_VALUE / 4));
    }
}
