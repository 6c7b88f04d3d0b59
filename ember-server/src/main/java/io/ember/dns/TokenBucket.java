package io.ember.dns;

import java.util.function.LongSupplier;

/** A microVM's query allowance: {@code rate} tokens a second, at most {@code burst} saved up, one per query. */
final class TokenBucket {
    private final double rate, burst;
    private final LongSupplier nanos;
    private double tokens;
    private long last;

    TokenBucket(int rate, int burst, LongSupplier nanos) {
        this.rate = rate;
        this.burst = burst;
        this.nanos = nanos;
        this.tokens = burst;
        this.last = nanos.getAsLong();
    }

    synchronized boolean take() {
        long now = nanos.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
        last = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }
}
