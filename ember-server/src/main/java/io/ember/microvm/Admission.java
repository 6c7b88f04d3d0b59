package io.ember.microvm;

import io.ember.tenant.Quotas;
import java.lang.management.ManagementFactory;
import java.util.function.Function;

/**
 * What may start: a tenant's quotas (running microVMs, their vCPUs and memory; suspended microVMs and
 * their bytes on disk) and the host's capacity (its vCPUs and memory, each times an overcommit ratio).
 * Checked under Microvms' admission lock before anything is created, so a refusal leaves nothing behind.
 *
 * @param quotas a tenant's effective quotas (its overrides over the server's defaults)
 */
public record Admission(Function<String, Quotas> quotas, Capacity capacity) {
    /** No tenant limits and no host limit beyond maxRunningVms: tests of other things, embedders. */
    public static final Admission UNLIMITED = new Admission(t -> new Quotas(Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE), new Capacity(Integer.MAX_VALUE, Long.MAX_VALUE, 1, 1));

    /**
     * The host's capacity for running microVMs: {@code vcpus * cpuOvercommit} vCPUs and {@code memoryMib *
     * memoryOvercommit} MiB of guest memory in total. A guest uses its memory only as it touches it (and clones
     * share their image's pages until they write), so memory may be overcommitted too, with care.
     */
    public record Capacity(int vcpus, long memoryMib, double cpuOvercommit, double memoryOvercommit) {
        public long vcpuLimit() {
            return (long) Math.floor(vcpus * cpuOvercommit);
        }

        public long memoryLimitMib() {
            return (long) Math.floor(memoryMib * memoryOvercommit);
        }

        /** This machine's processors and physical memory, less 1 GiB for the host, with the given ratios. */
        public static Capacity ofHost(double cpuOvercommit, double memoryOvercommit) {
            long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize() >> 20;
            return new Capacity(Runtime.getRuntime().availableProcessors(), Math.max(256, total - 1024), cpuOvercommit,
                    memoryOvercommit);
        }
    }
}
