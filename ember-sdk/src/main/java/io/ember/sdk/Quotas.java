package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * A tenant's limits; a null field is the server's default (in answers: as the server reports it).
 * {@code maxSuspendedBytes} bounds the disk that the tenant's suspended microVMs hold; {@code requestsPerSecond} and
 * {@code requestBurst} its API calls (a token bucket: past them, ThrottlingException); {@code maxUploads} and
 * {@code maxUploadBytes} its code uploads.
 */
public record Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                     Integer maxSuspendedMicrovms, Long maxSuspendedBytes, Integer requestsPerSecond, Integer requestBurst,
                     Integer maxUploads, Long maxUploadBytes) {
    @JsonCreator
    public Quotas {}

    /** The microVM quotas only (the others: the server's defaults). */
    public Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                  Integer maxSuspendedMicrovms, Long maxSuspendedBytes) {
        this(maxRunningMicrovms, maxRunningVcpus, maxRunningMemoryInMiB, maxSuspendedMicrovms, maxSuspendedBytes,
                null, null, null, null);
    }

    /** No limit given: the server's defaults. */
    public static Quotas defaults() {
        return new Quotas(null, null, null, null, null);
    }
}
