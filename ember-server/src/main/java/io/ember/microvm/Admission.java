package io.ember.microvm;

import io.ember.tenant.Quotas;
import java.lang.management.ManagementFactory;
import java.util.List;
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

    /** A microVM holding a VMM: whose, and what it takes. */
    public record Holder(String tenantId, int vcpus, int memoryMib) {}

    /** Why a request is refused: {@code quota} names the tenant's quota, or is null when the host has no room. */
    public record Refusal(String quota, String message) {}

    /** Null when a microVM of {@code vcpus}/{@code memoryMib} may start for {@code tenantId} beside {@code holding}. */
    public Refusal toRun(String tenantId, int vcpus, int memoryMib, List<Holder> holding, String what) {
        Quotas q = quotas.apply(tenantId);
        long vms = 0, cpus = 0, mem = 0, hostCpus = 0, hostMem = 0;
        for (Holder h : holding) {
            hostCpus += h.vcpus();
            hostMem += h.memoryMib();
            if (h.tenantId().equals(tenantId)) {
                vms++;
                cpus += h.vcpus();
                mem += h.memoryMib();
            }
        }
        Refusal r = over(what, "maxRunningMicrovms", vms + 1, q.maxRunningMicrovms(), "running microVMs");
        if (r == null) r = over(what, "maxRunningVcpus", cpus + vcpus, q.maxRunningVcpus(), "running vCPUs");
        if (r == null) r = over(what, "maxRunningMemoryInMiB", mem + memoryMib, q.maxRunningMemoryInMiB(), "MiB of running memory");
        if (r != null) return r;
        if (hostCpus + vcpus <= capacity.vcpuLimit() && hostMem + memoryMib <= capacity.memoryLimitMib()) return null;
        return new Refusal(null, what + " refused: the host has no room (running " + hostCpus + " of " + capacity.vcpuLimit()
                + " vCPUs and " + hostMem + " of " + capacity.memoryLimitMib() + " MiB, with overcommit " + capacity.cpuOvercommit()
                + "/" + capacity.memoryOvercommit() + "; this needs " + vcpus + " vCPUs and " + memoryMib + " MiB)");
    }

    /**
     * Null when the tenant, holding {@code suspended} SUSPENDED microVMs of {@code bytes} on disk, may suspend one more
     * that may add up to {@code adding} bytes.
     */
    public Refusal toSuspend(String tenantId, long suspended, long bytes, long adding, String what) {
        Quotas q = quotas.apply(tenantId);
        Refusal r = over(what, "maxSuspendedMicrovms", suspended + 1, q.maxSuspendedMicrovms(), "suspended microVMs");
        return r != null ? r : over(what, "maxSuspendedBytes", bytes + adding, q.maxSuspendedBytes(), "bytes of suspended state");
    }

    private static Refusal over(String what, String quota, long wanted, long limit, String unit) {
        return wanted <= limit ? null : new Refusal(quota, what + " refused: it would make " + wanted + " " + unit
                + ", over the tenant's quota " + quota + " = " + limit);
    }

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
