package io.ember.sdk;

/**
 * A tenant's limits; a null field is the server's default (in answers: as the server reports it).
 * {@code maxSuspendedBytes} bounds the disk that the tenant's suspended microVMs hold.
 */
public record Quotas(Integer maxRunningMicrovms, Integer maxRunningVcpus, Integer maxRunningMemoryInMiB,
                     Integer maxSuspendedMicrovms, Long maxSuspendedBytes) {
    /** No limit given: the server's defaults. */
    public static Quotas defaults() {
        return new Quotas(null, null, null, null, null);
    }
}
