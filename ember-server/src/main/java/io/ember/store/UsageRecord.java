package io.ember.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One metered interval of a microVM (docs/metering.md). The store does not decide what a kind means.
 *
 * @param tenantId null until tenants exist
 * @param kind RUNNING (a VMM holds vcpus and memory) or SUSPENDED (only diskBytes on disk)
 * @param end null while open: the interval runs until now
 */
public record UsageRecord(String microvmId, String tenantId, String kind, Instant start, Instant end, int vcpus,
                          int memoryMib, long diskBytes) {
    public UsageRecord {
        Objects.requireNonNull(microvmId, "microvmId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(start, "start");
        if (end != null && end.isBefore(start)) throw new IllegalArgumentException("usage ends before it starts");
        if (vcpus < 0 || memoryMib < 0 || diskBytes < 0) throw new IllegalArgumentException("negative usage");
    }
}
