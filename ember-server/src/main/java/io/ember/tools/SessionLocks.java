package io.ember.tools;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/** One lock per (microVM, session): a shell runs one command at a time. Entries go when nobody holds or awaits them. */
final class SessionLocks {
    private final Map<String, Entry> locks = new HashMap<>();

    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    /** Holds the key's lock, waiting at most {@code wait}; null when it stayed taken. Close the answer to release it. */
    Held acquire(String key, Duration wait) throws InterruptedException {
        Entry e;
        synchronized (this) {
            e = locks.computeIfAbsent(key, k -> new Entry());
            e.users++;
        }
        boolean held = false;
        try {
            held = e.lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (!held) release(key, e, false);
        }
        if (!held) return null;
        return () -> release(key, e, true);
    }

    private synchronized void release(String key, Entry e, boolean unlock) {
        if (unlock) e.lock.unlock();
        if (--e.users == 0) locks.remove(key);
    }

    synchronized int size() {
        return locks.size();
    }
}
