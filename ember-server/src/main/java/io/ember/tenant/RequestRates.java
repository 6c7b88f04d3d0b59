package io.ember.tenant;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per tenant over its API requests, so that one tenant asking as fast as it can slows only itself.
 * A bucket holds up to {@code requestBurst} tokens and refills at {@code requestsPerSecond}; a request takes one, and
 * without one it is refused (ThrottlingException) with the wait until the next. Per tenant rather than per access key:
 * a tenant could otherwise multiply its rate by making keys. Memory: one small bucket per tenant that asked.
 */
public final class RequestRates {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** A refusal: how long until a token is there again. */
    public record Refusal(double retryAfterSeconds) {}

    /**
     * Takes a token from {@code tenantId}'s bucket, sized by {@code perSecond} and {@code burst} (a null rate: no limit),
     * at {@code nowNanos} (System.nanoTime's scale); the refusal when there is none.
     */
    public java.util.Optional<Refusal> take(String tenantId, Integer perSecond, Integer burst, long nowNanos) {
        if (perSecond == null) return java.util.Optional.empty();
        int size = Math.max(1, burst == null ? perSecond : burst);
        return buckets.computeIfAbsent(tenantId, t -> new Bucket(size, nowNanos)).take(perSecond, size, nowNanos);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int size, long now) {
            this.tokens = size;
            this.last = now;
        }

        synchronized java.util.Optional<Refusal> take(int perSecond, int size, long now) {
            if (now > last) {
                tokens = Math.min(size, tokens + (now - last) / 1e9 * perSecond);
                last = now;
            }
            tokens = Math.min(tokens, size); // the quota may have been lowered since
            if (tokens >= 1) {
                tokens -= 1;
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new Refusal(perSecond == 0 ? 60 : (1 - tokens) / perSecond));
        }
    }
}
