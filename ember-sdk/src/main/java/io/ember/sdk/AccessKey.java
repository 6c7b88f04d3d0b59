package io.ember.sdk;

import java.time.Instant;

/**
 * An access key of a tenant. {@code secretAccessKey} is set only in the answer that creates the key (it cannot
 * be read back); {@code status} is {@code ACTIVE}; {@code lastUsedAt} is null until the key signs a request.
 * {@link #toString()} never shows the secret.
 */
public record AccessKey(String accessKeyId, String secretAccessKey, String status, Instant createdAt, Instant lastUsedAt) {
    /** The key pair, to sign with; only for the answer that created the key. */
    public Credentials credentials() {
        if (secretAccessKey == null) throw new IllegalStateException("the secret is shown only when the key is created");
        return new Credentials(accessKeyId, secretAccessKey);
    }

    @Override
    public String toString() {
        return "AccessKey[accessKeyId=" + accessKeyId + ", secretAccessKey=" + (secretAccessKey == null ? "null" : "****")
                + ", status=" + status + ", createdAt=" + createdAt + ", lastUsedAt=" + lastUsedAt + "]";
    }
}
