package io.ember.metering;

import io.ember.store.UsageRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Answers usage questions from the stored intervals and the price table. */
public final class Metering {
    /** The intervals overlapping [from, to) of a tenant's (null: every tenant's) microVMs: one (its id or ARN) or all (null). */
    @FunctionalInterface
    public interface Source {
        List<UsageRecord> usage(String tenantId, String microvmIdentifier, Instant from, Instant to);
    }

    private final Source source;
    private final PriceTable prices;
    private final Clock clock;

    public Metering(Source source, PriceTable prices, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.prices = Objects.requireNonNull(prices, "prices");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public PriceTable prices() {
        return prices;
    }

    /** {@code to} null: now. Throws IllegalArgumentException for a span {@link UsageReport#invalid} refuses. */
    public UsageReport report(String tenantId, String microvmIdentifier, Instant from, Instant to, Granularity granularity) {
        Instant now = clock.instant();
        Instant end = to == null ? now : to;
        String why = UsageReport.invalid(from, end, granularity);
        if (why != null) throw new IllegalArgumentException(why);
        return UsageReport.of(source.usage(tenantId, microvmIdentifier, from, end), from, end, granularity, now, prices);
    }
}
