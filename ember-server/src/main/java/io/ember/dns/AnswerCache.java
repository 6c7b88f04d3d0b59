package io.ember.dns;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Upstream answers by (name, type), shared by every microVM: a bounded LRU whose entries expire with their
 * {@link Answer#cacheSeconds()}. It holds answers only; the policy check and pinning happen per query, hits included.
 */
final class AnswerCache {
    private record Key(String name, int type) {}

    private record Cached(Answer answer, long storedNanos, long expiresNanos) {}

    private final int capacity;
    private final LongSupplier nanos;
    private final LinkedHashMap<Key, Cached> entries;

    AnswerCache(int capacity, LongSupplier nanos) {
        this.capacity = capacity;
        this.nanos = nanos;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > AnswerCache.this.capacity;
            }
        };
    }

    /** The answer with its TTLs lowered by its age, or null when absent or expired. */
    synchronized Answer get(String name, int type) {
        Key k = key(name, type);
        Cached e = entries.get(k);
        if (e == null) return null;
        long now = nanos.getAsLong();
        if (now - e.expiresNanos >= 0) {
            entries.remove(k);
            return null;
        }
        return e.answer.aged((now - e.storedNanos) / 1_000_000_000L);
    }

    synchronized void put(String name, int type, Answer a) {
        long seconds = a.cacheSeconds();
        if (capacity == 0 || seconds <= 0) return;
        long now = nanos.getAsLong();
        entries.put(key(name, type), new Cached(a, now, now + seconds * 1_000_000_000L));
    }

    synchronized int size() {
        return entries.size();
    }

    private static Key key(String name, int type) {
        return new Key(name.toLowerCase(Locale.ROOT), type);
    }
}
