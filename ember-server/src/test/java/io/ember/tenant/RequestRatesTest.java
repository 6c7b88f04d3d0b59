package io.ember.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestRatesTest {
    static final long S = 1_000_000_000L;

    @Test
    void aBurstThenTheRateAndEachTenantHasItsOwnBucket() {
        RequestRates rates = new RequestRates();
        for (int i = 0; i < 3; i++) assertThat(rates.take("a", 2, 3, 0)).isEmpty();
        assertThat(rates.take("a", 2, 3, 0)).hasValueSatisfying(r -> assertThat(r.retryAfterSeconds()).isEqualTo(0.5));
        assertThat(rates.take("b", 2, 3, 0)).isEmpty(); // another tenant's bucket is full
        assertThat(rates.take("a", 2, 3, S / 2)).isEmpty(); // half a second: one token at 2 a second
        assertThat(rates.take("a", 2, 3, S / 2)).isPresent();
        for (int i = 0; i < 3; i++) assertThat(rates.take("a", 2, 3, 100 * S)).isEmpty(); // refilled only to the burst
        assertThat(rates.take("a", 2, 3, 100 * S)).isPresent();
    }

    @Test
    void noRateIsNoLimitAndALoweredQuotaAppliesAtOnce() {
        RequestRates rates = new RequestRates();
        for (int i = 0; i < 10_000; i++) assertThat(rates.take("admin", null, null, 0)).isEmpty();
        for (int i = 0; i < 100; i++) assertThat(rates.take("a", 1000, 100, 0)).isEmpty();
        assertThat(rates.take("a", 1, 1, S)).isEmpty(); // lowered: the bucket holds at most 1 now
        assertThat(rates.take("a", 1, 1, S)).isPresent();
    }
}
