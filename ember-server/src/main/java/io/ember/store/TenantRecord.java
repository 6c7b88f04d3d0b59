package io.ember.store;

import java.time.Instant;

/**
 * A tenant as stored.
 *
 * @param id its 12-digit account id, the one its ARNs carry
 * @param quotasJson its quota overrides as JSON (null: the server's defaults)
 */
public record TenantRecord(long ordinal, String id, String name, boolean admin, String quotasJson, Instant createdAt) {}
