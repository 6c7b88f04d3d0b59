package io.ember.store;

import java.time.Instant;

/**
 * A stored secret: its metadata and its value as sealed by the host key (never the plaintext).
 *
 * @param seq creation ordinal (pagination)
 */
public record SecretRecord(long seq, String tenantId, String name, String description, byte[] sealed,
                           Instant createdAt, Instant updatedAt) {}
