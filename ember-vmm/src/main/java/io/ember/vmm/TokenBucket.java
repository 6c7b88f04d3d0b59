package io.ember.vmm;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bytes per second with a burst: {@link #spend} takes what was used (the balance may go below zero) and says how long
 * to wait before the balance is back to zero. Not thread-safe: one reader owns it.
 */
final class TokenBucket {
    private final long ratePerSecond;
    private final long burst;
    private final LongSupplier nanoTime;
    private long balance;
    private long updated;

    TokenBucket(long ratePerSecond, long burst, LongSupplier nanoTime) {
        if (ratePerSecond <= 0 || burst <= 0) throw new IllegalArgumentException("rate and burst must be positive");
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.balance = burst;
        this.updated = nanoTime.getAsLong();
    }

    /** Takes {@code n} bytes; returns the nanoseconds until the balance is no longer negative (0: go on at once). */
    long spend(long n) {
        refill();
        balance -= n;
        return balance >= 0 ? 0 : (-balance * TimeUnit.SECONDS.toNanos(1) + ratePerSecond - 1) / ratePerSecond;
    }

    long balance() {
        refill();
        return balance;
    }

    private void refill() {
        long now = nanoTime.getAsLong(), elapsed = now - updated;
        if (elapsed <= 0) return;
        long earned = elapsed >= TimeUnit.SECONDS.toNanos(1000) ? burst : elapsed * ratePerSecond / TimeUnit.SECONDS.toNanos(1);
        if (earned == 0) return; // keep the fraction: `updated` moves only with whole bytes
        balance = Math.min(burst, balance + earned);
        updated = earned >= burst ? now : updated + earned * TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
    }
}
