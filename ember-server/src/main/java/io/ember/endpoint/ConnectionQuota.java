package io.ember.endpoint;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Client connections per key, against a limit per key: per microVM (one tenant's clients must not take every
 * connection the listener has: its own limit is for the whole host; a connection counts against a microVM from its
 * first authorized request to that microVM until it closes) and per source address (one host's connections, idle or
 * not, must not either; counted from accept to close).
 */
final class ConnectionQuota {
    private final int perKey;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    ConnectionQuota(int perKey) {
        this.perKey = perKey;
    }

    int limit() {
        return perKey;
    }

    boolean acquire(String key) {
        boolean[] ok = {false};
        open.compute(key, (id, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perKey) return n;
            ok[0] = true;
            return now + 1;
        });
        return ok[0];
    }

    void release(String key) {
        open.computeIfPresent(key, (id, n) -> n <= 1 ? null : n - 1);
    }
}
