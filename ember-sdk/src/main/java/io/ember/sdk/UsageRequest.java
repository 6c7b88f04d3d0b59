package io.ember.sdk;

import java.time.Instant;

/**
 * What GetUsage reports (docs/metering.md): one microVM or all ({@code microvmId} null), the period
 * [{@code from}, {@code to}) ({@code to} null: now; {@code from} null: the epoch, allowed only with
 * {@code total}), the granularity {@code total}, {@code hour} or {@code day}, and, for the admin only,
 * another tenant's usage ({@code tenantId}).
 */
public record UsageRequest(String microvmId, Instant from, Instant to, String granularity, String tenantId) {
    public static UsageRequest total() {
        return new UsageRequest(null, null, null, null, null);
    }

    public UsageRequest withMicrovmId(String id) {
        return new UsageRequest(id, from, to, granularity, tenantId);
    }

    public UsageRequest withPeriod(Instant start, Instant end) {
        return new UsageRequest(microvmId, start, end, granularity, tenantId);
    }

    /** {@code total}, {@code hour} or {@code day}. */
    public UsageRequest withGranularity(String g) {
        return new UsageRequest(microvmId, from, to, g, tenantId);
    }

    public UsageRequest withTenantId(String id) {
        return new UsageRequest(microvmId, from, to, granularity, id);
    }
}
