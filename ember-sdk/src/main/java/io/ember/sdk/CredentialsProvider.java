package io.ember.sdk;

/**
 * Where a client finds its keys. {@link CredentialsChain#standard()} is the default; {@link #of} gives fixed keys.
 * Resolved once, at the first signed request.
 */
@FunctionalInterface
public interface CredentialsProvider {
    /** The keys, or a {@link MissingCredentialsException} saying where they were looked for. */
    Credentials resolve();

    static CredentialsProvider of(Credentials credentials) {
        java.util.Objects.requireNonNull(credentials, "credentials");
        return () -> credentials;
    }
}
