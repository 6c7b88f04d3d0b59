package io.ember.metering;

import java.util.Locale;
import java.util.Optional;

/** How a usage report splits its period: whole UTC hours, whole UTC days, or not at all. */
public enum Granularity {
    HOUR(3_600_000L),
    DAY(86_400_000L),
    TOTAL(0);

    /** Bucket length in milliseconds; 0 for TOTAL (one bucket, the period). */
    final long millis;

    Granularity(long millis) {
        this.millis = millis;
    }

    public static Optional<Granularity> parse(String s) {
        for (Granularity g : values()) if (g.name().equals(s.toUpperCase(Locale.ROOT))) return Optional.of(g);
        return Optional.empty();
    }
}
