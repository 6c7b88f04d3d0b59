package io.ember.store;

import java.time.Instant;

/**
 * An access key as stored.
 *
 * @param sealedSecret the secret sealed with the host key (io.ember.secrets.HostKey), never the secret itself
 * @param status ACTIVE or REVOKED
 */
public record AccessKeyRecord(String id, String tenantId, byte[] sealedSecret, String status, Instant createdAt,
                              Instant revokedAt, Instant lastUsedAt) {}
