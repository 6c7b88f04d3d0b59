package io.ember.sdk;

import java.time.Instant;

/** A tenant: its id is the account id in its ARNs; the admin tenant is {@code 000000000000}. */
public record Tenant(String tenantId, String name, Instant createdAt, Quotas quotas) {}
