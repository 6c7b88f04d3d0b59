package io.ember.tenant;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one tenant may hold and how fast it may ask. As stored and given, a null field means "the server's default";
 * {@link #over} fills those from the defaults.
 *
 * @param requestsPerSecond the API requests a second its token bucket refills with (every signed call counts)
 * @param requestBurst the bucket's size: how many requests may come at once after a quiet spell
 * @param maxUploads code uploads ({@code POST /ember/v1/uploads}) kept at once
 * @param maxUploadBytes their bytes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                     Integer maxSuspendedMicrovms, Long maxSuspendedBytes, Integer requestsPerSecond, Integer requestBurst,
                     Integer maxUploads, Long maxUploadBytes) {
    public static final Quotas NONE = new Quotas(null, null, null, null, null);

    /** Server defaults: generous for one developer host, meant to be set per tenant in production. */
    public static final Quotas DEFAULTS = new Quotas(50, 64, 64 * 1024, 200, 100L << 30, 100, 200, 10, 1L << 30);

    @JsonCreator
    public Quotas {}

    /** The microVM quotas only (the others: the server's defaults). */
    public Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                  Integer maxSuspendedMicrovms, Long maxSuspendedBytes) {
        this(maxRunningMicrovms, maxRunningVcpus, maxRunningMemoryInMiB, maxSuspendedMicrovms, maxSuspendedBytes,
                null, null, null, null);
    }

    /** These overrides over {@code defaults}. */
    public Quotas over(Quotas defaults) {
        return new Quotas(
                maxRunningMicrovms != null ? maxRunningMicrovms : defaults.maxRunningMicrovms,
                maxRunningVcpus != null ? maxRunningVcpus : defaults.maxRunningVcpus,
                maxRunningMemoryInMiB != null ? maxRunningMemoryInMiB : defaults.maxRunningMemoryInMiB,
                maxSuspendedMicrovms != null ? maxSuspendedMicrovms : defaults.maxSuspendedMicrovms,
                maxSuspendedBytes != null ? maxSuspendedBytes : defaults.maxSuspendedBytes,
                requestsPerSecond != null ? requestsPerSecond : defaults.requestsPerSecond,
                requestBurst != null ? requestBurst : defaults.requestBurst,
                maxUploads != null ? maxUploads : defaults.maxUploads,
                maxUploadBytes != null ? maxUploadBytes : defaults.maxUploadBytes);
    }
}
