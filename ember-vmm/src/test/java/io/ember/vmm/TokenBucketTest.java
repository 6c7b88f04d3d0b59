package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    long now = 1_000;

    @Test
    void aBurstPassesAtOnce_thenTheRateHolds() {
        TokenBucket b = new TokenBucket(1000, 4000, () -> now);
        assertThat(b.spend(4000)).isZero();
        assertThat(b.spend(500)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        now += TimeUnit.MILLISECONDS.toNanos(500);
        assertThat(b.balance()).isZero();
        now += TimeUnit.MILLISECONDS.toNanos(250);
        assertThat(b.spend(250)).isZero();
        assertThat(b.spend(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    void idleTimeFillsUpToTheBurstOnly() {
        TokenBucket b = new TokenBucket(1000, 4000, () -> now);
        b.spend(4000);
        now += TimeUnit.HOURS.toNanos(5);
        assertThat(b.balance()).isEqualTo(4000);
        now += TimeUnit.DAYS.toNanos(400);
        assertThat(b.balance()).isEqualTo(4000);
    }

    @Test
    void manySmallSteps_loseNoCredit() {
        TokenBucket b = new TokenBucket(3, 10, () -> now);
        b.spend(10);
        for (int i = 0; i < 1000; i++) {
            now += TimeUnit.MILLISECONDS.toNanos(1); // a third of a byte's worth each time
            b.balance();
        }
        assertThat(b.balance()).isEqualTo(3);
    }
}
