package io.ember.endpoint;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Client connections per microVM: one tenant's clients must not take every connection the listener
 * has (its own limit is for the whole host). A connection counts against a microVM from its first
 * authorized request to that microVM until it closes.
 */
final class ConnectionQuota {
    private final int perMicrovm;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    ConnectionQuota(int perMicrovm) {
        this.perMicrovm = perMicrovm;
    }

    int limit() {
        return perMicrovm;
    }

    boolean acquire(String microvmId) {
        boolean[] ok = {false};
        open.compute(microvmId, (id, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perMicrovm) return n;
            ok[0] = true;
            return now + 1;
        });
        return ok[0];
    }

    void release(String microvmId) {
        open.computeIfPresent(microvmId, (id, n) -> n <= 1 ? null : n - 1);
    }
}
