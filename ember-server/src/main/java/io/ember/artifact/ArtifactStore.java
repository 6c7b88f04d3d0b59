package io.ember.artifact;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Where code artifacts named by {@code s3://} URIs are read from (docs/images.md, "Code artifacts in S3"). */
public interface ArtifactStore {
    /**
     * Refuses, without asking the store, a location this server does not read: a bucket outside the operator's
     * allow-list. Called when CreateMicrovmImage/UpdateMicrovmImage are accepted and again when the build reads.
     */
    void checkAllowed(S3Location location) throws ArtifactException;

    /**
     * Reads the object once into {@code target} (written whole or not at all), at most {@code maxBytes}; gives up
     * when {@code cancelled} turns true (the build was aborted).
     */
    StoredObject download(S3Location location, Path target, long maxBytes, BooleanSupplier cancelled) throws ArtifactException;

    /** A server that reads no {@code s3://} artifacts (tests and embedders that configure none). */
    static ArtifactStore none() {
        return new ArtifactStore() {
            @Override
            public void checkAllowed(S3Location location) throws ArtifactException {
                throw new ArtifactException(ArtifactException.Reason.S3_ACCESS_DENIED, "this server reads no s3:// code artifacts");
            }

            @Override
            public StoredObject download(S3Location location, Path target, long maxBytes, BooleanSupplier cancelled)
                    throws ArtifactException {
                checkAllowed(location);
                throw new IllegalStateException("unreachable");
            }
        };
    }
}
