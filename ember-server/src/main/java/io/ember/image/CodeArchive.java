package io.ember.image;

import io.ember.image.build.BuildFailure;
import io.ember.image.build.CodeArtifact;
import java.nio.file.Path;

/**
 * A build's code zip and its Dockerfile, read at the build's start. Failures carry the reason code AWS reports for them
 * first in the build's stateReason (ARCHIVE_INVALID: not a zip, or an entry Ember refuses; ARCHIVE_DOCKERFILE_NOT_FOUND),
 * then Ember's words.
 */
final class CodeArchive {
    static final String INVALID = "ARCHIVE_INVALID: ";
    static final String NO_DOCKERFILE = "ARCHIVE_DOCKERFILE_NOT_FOUND: ";

    private CodeArchive() {}

    static CodeArtifact open(Path zip) throws BuildFailure {
        try {
            return CodeArtifact.open(zip);
        } catch (BuildFailure e) {
            throw new BuildFailure(INVALID + e.getMessage(), e);
        }
    }

    /** The text of the zip's root Dockerfile ({@code Dockerfile} or {@code dockerfile}). */
    static String dockerfile(CodeArtifact code) throws BuildFailure {
        boolean present = code.entry("Dockerfile").isPresent() || code.entry("dockerfile").isPresent();
        try {
            return code.dockerfile();
        } catch (BuildFailure e) {
            throw new BuildFailure((present ? INVALID : NO_DOCKERFILE) + e.getMessage(), e);
        }
    }
}
