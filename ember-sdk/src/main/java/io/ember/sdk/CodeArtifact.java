package io.ember.sdk;

import java.util.Objects;

/**
 * Where an image's code zip (a {@code Dockerfile} and the application's files) is: the model's
 * CodeArtifact union, of which {@code uri} is the one member. Ember takes {@code s3://bucket/key} (AWS's form: read
 * by the server, with its own credentials, when the build starts), {@code ember-upload://<id>} (from
 * {@link EmberClient#uploadCodeArtifact}) and {@code file:///absolute/path.zip} (on the server's disk).
 */
public record CodeArtifact(String uri) {
    public CodeArtifact {
        Objects.requireNonNull(uri, "uri");
    }

    public static CodeArtifact of(String uri) {
        return new CodeArtifact(uri);
    }

    /** {@code s3://bucket/key}: the key as it is in the bucket (not percent-encoded). */
    public static CodeArtifact s3(String bucket, String key) {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (bucket.isEmpty() || bucket.contains("/")) throw new IllegalArgumentException("bucket must be a bucket name, got '" + bucket + "'");
        if (key.isEmpty()) throw new IllegalArgumentException("key must not be empty");
        return new CodeArtifact("s3://" + bucket + "/" + key);
    }
}
