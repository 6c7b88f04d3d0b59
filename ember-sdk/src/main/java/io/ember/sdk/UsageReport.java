package io.ember.sdk;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Metered, priced usage (GetUsage): per microVM and in all, each per period and in total (docs/metering.md). */
public record UsageReport(Instant from, Instant to, String granularity, Prices prices, List<MicrovmUsage> microvms,
                          List<Period> periods, Figures total) {
    public UsageReport {
        microvms = microvms == null ? List.of() : List.copyOf(microvms);
        periods = periods == null ? List.of() : List.copyOf(periods);
    }

    /** The price table: per vCPU-second and GiB-second running, per GiB-second of disk suspended. */
    public record Prices(String currency, BigDecimal vcpuSecond, BigDecimal memoryGibSecond, BigDecimal storageGibSecond) {}

    public record MicrovmUsage(String microvmId, String tenantId, List<Period> periods, Figures total) {
        public MicrovmUsage {
            periods = periods == null ? List.of() : List.copyOf(periods);
        }
    }

    /** A period with usage, clipped to the report's bounds, with its figures. */
    public record Period(Instant start, Instant end, long runningSeconds, BigDecimal vcpuSeconds, BigDecimal memoryGibSeconds,
                         long suspendedSeconds, BigDecimal storageGibSeconds, BigDecimal price) {}

    public record Figures(long runningSeconds, BigDecimal vcpuSeconds, BigDecimal memoryGibSeconds, long suspendedSeconds,
                          BigDecimal storageGibSeconds, BigDecimal price) {}
}
