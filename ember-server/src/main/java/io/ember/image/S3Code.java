package io.ember.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.artifact.ArtifactException;
import io.ember.artifact.ArtifactStore;
import io.ember.artifact.S3Location;
import io.ember.artifact.StoredObject;
import io.ember.image.build.BuildFailure;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The s3:// code artifacts of builds (docs/images.md, "Code artifacts in S3"): checked for form when the request is
 * accepted, read once when the build starts, into the version's {@code code.zip}. A read that fails fails the build
 * with AWS's reason code first in its stateReason ({@code S3_NO_SUCH_KEY: ...}), as AWS reports it.
 */
final class S3Code {
    private S3Code() {}

    /** At request time: the URI's form and the bucket allow-list, without asking the store (ValidationException). */
    static S3Location check(ArtifactStore artifacts, String uri) {
        S3Location location;
        try {
            location = S3Location.parse(uri);
        } catch (IllegalArgumentException e) {
            throw ImageException.invalid("codeArtifact.uri: " + e.getMessage());
        }
        try {
            artifacts.checkAllowed(location);
        } catch (ArtifactException e) {
            throw ImageException.invalid("codeArtifact.uri: " + e.getMessage());
        }
        return location;
    }

    /** The version's s3:// location, or null when its code was copied at request time (uploads, file://). */
    static S3Location of(JsonNode versionSpec) {
        String uri = versionSpec.path("codeArtifact").path("uri").asText(null);
        return S3Location.isS3(uri) ? S3Location.parse(uri) : null;
    }

    /** At build start: reads the object into {@code dir/code.zip}, at most {@link Uploads#MAX_BYTES}; BuildFailure with the reason. */
    static StoredObject fetch(ArtifactStore artifacts, S3Location location, Path dir, BooleanSupplier cancelled) throws BuildFailure {
        try {
            return artifacts.download(location, dir.resolve("code.zip"), Uploads.MAX_BYTES, cancelled);
        } catch (ArtifactException e) {
            throw new BuildFailure(e.stateReason());
        }
    }
}
