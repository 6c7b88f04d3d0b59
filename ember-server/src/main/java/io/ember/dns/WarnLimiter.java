package io.ember.dns;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one warning every ten seconds for a kind of failure a guest can repeat at its query rate (an upstream down,
 * a pin that fails): the rest go to debug, and the next warning says how many there were.
 */
final class WarnLimiter {
    private static final long EVERY_NANOS = 10_000_000_000L;
    private final AtomicLong last = new AtomicLong(System.nanoTime() - EVERY_NANOS), skipped = new AtomicLong();

    /** -1: do not warn now; else warn, and this many were skipped since the last warning. */
    long warnNow() {
        long now = System.nanoTime(), l = last.get();
        if (now - l >= EVERY_NANOS && last.compareAndSet(l, now)) return skipped.getAndSet(0);
        skipped.incrementAndGet();
        return -1;
    }

    static String skippedNote(long skipped) {
        return skipped > 0 ? " (" + skipped + " more since the last warning)" : "";
    }
}
