package io.ember.tenant;

/**
 * What one tenant may hold. As stored and given, a null field means "the server's default"; {@link #over}
 * fills those from the defaults.
 */
public record Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                     Integer maxSuspendedMicrovms, Long maxSuspendedBytes) {
    public static final Quotas NONE = new Quotas(null, null, null, null, null);

    /** Server defaults: generous for one developer host, meant to be set per tenant in production. */
    public static final Quotas DEFAULTS = new Quotas(50, 64, 64 * 1024, 200, 100L << 30);

    /** These overrides over {@code defaults}. */
    public Quotas over(Quotas defaults) {
        return new Quotas(
                maxRunningMicrovms != null ? maxRunningMicrovms : defaults.maxRunningMicrovms,
                maxRunningVcpus != null ? maxRunningVcpus : defaults.maxRunningVcpus,
                maxRunningMemoryInMiB != null ? maxRunningMemoryInMiB : defaults.maxRunningMemoryInMiB,
                maxSuspendedMicrovms != null ? maxSuspendedMicrovms : defaults.maxSuspendedMicrovms,
                maxSuspendedBytes != null ? maxSuspendedBytes : defaults.maxSuspendedBytes);
    }
}
