package io.ember.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One metered interval of a microVM (docs/metering.md). The store does not decide what a kind means.
 *
 * @param tenantId null until tenants exist
 * @param kind RUNNING (a VMM holds vcpus and memory) or SUSPENDED (only diskBytes on disk)
 * @param end null while open: the interval runs until now
 * @param vcpus the vCPUs the VMM holds
 * @param memoryMib the memory billed: all of the VMM's, or a size's baseline (docs/metering.md)
 * @param vcpuMillis the thousandths of a vCPU billed: {@code vcpus * 1000}, or a size's baseline (250 for 0.25 vCPU)
 */
public record UsageRecord(String microvmId, String tenantId, String kind, Instant start, Instant end, int vcpus,
                          int memoryMib, long diskBytes, int vcpuMillis) {
    /** Billing all of its vCPUs. */
    public UsageRecord(String microvmId, String tenantId, String kind, Instant start, Instant end, int vcpus, int memoryMib,
                       long diskBytes) {
        this(microvmId, tenantId, kind, start, end, vcpus, memoryMib, diskBytes, vcpus * 1000);
    }

    public UsageRecord {
        if (vcpuMillis < 0) throw new IllegalArgumentException("negative usage");
        Objects.requireNonNull(microvmId, "microvmId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(start, "start");
        if (end != null && end.isBefore(start)) throw new IllegalArgumentException("usage ends before it starts");
        if (vcpus < 0 || memoryMib < 0 || diskBytes < 0) throw new IllegalArgumentException("negative usage");
    }
}
