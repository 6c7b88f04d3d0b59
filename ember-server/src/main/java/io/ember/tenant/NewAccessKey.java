package io.ember.tenant;

import java.time.Instant;

/** A key just made: the only time its secret is seen. */
public record NewAccessKey(String id, String secret, String tenantId, Instant createdAt) {
    @Override
    public String toString() {
        return "NewAccessKey[" + id + ", tenant " + tenantId + "]"; // never the secret, should one be logged
    }
}
