package io.ember.sdk;

import java.util.Objects;

/**
 * An access key pair that signs requests (AWS SigV4). {@link #toString()} never shows the secret.
 * A session token, where the environment or a profile has one, is ignored: Ember keys are long-lived.
 */
public record Credentials(String accessKeyId, String secretAccessKey) {
    public Credentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) throw new IllegalArgumentException("empty access key id or secret");
        if (accessKeyId.chars().anyMatch(c -> c <= ' ' || c == '/' || c == ',')) {
            throw new IllegalArgumentException("an access key id has no spaces, slashes or commas");
        }
    }

    public static Credentials of(String accessKeyId, String secretAccessKey) {
        return new Credentials(accessKeyId, secretAccessKey);
    }

    @Override
    public String toString() {
        return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****]";
    }
}
