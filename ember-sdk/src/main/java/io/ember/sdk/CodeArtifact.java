package io.ember.sdk;

import java.util.Objects;

/**
 * Where an image's code zip (a {@code Dockerfile} and the application's files) is: the model's
 * CodeArtifact union, of which {@code uri} is the one member. Ember takes {@code ember-upload://<id>}
 * (from {@link EmberClient#uploadCodeArtifact}) and {@code file:///absolute/path.zip} (on the server's disk).
 */
public record CodeArtifact(String uri) {
    public CodeArtifact {
        Objects.requireNonNull(uri, "uri");
    }

    public static CodeArtifact of(String uri) {
        return new CodeArtifact(uri);
    }
}
