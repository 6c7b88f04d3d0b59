package io.ember.tenant;

import java.time.Instant;

/** An access key as listed: never its secret. */
public record AccessKey(String id, String tenantId, String status, Instant createdAt, Instant lastUsedAt) {}
