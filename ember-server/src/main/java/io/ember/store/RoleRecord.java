package io.ember.store;

import java.time.Instant;
import java.util.List;

/**
 * An execution role: the names of its tenant's secrets that a microVM launched with it may read.
 *
 * @param seq creation ordinal (pagination)
 */
public record RoleRecord(long seq, String tenantId, String name, String description, List<String> secrets,
                         Instant createdAt, Instant updatedAt) {
    public RoleRecord {
        secrets = List.copyOf(secrets);
    }
}
