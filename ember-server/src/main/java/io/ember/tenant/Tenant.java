package io.ember.tenant;

import java.time.Instant;

/**
 * A tenant: its id is its 12-digit account id (the one in its ARNs).
 *
 * @param quotas its overrides (null fields: the server's defaults)
 */
public record Tenant(String id, String name, boolean admin, Quotas quotas, Instant createdAt, long ordinal) {
    /** The tenant that exists from the first start: it manages the others. */
    public static final String ADMIN_ID = "000000000000";
}
