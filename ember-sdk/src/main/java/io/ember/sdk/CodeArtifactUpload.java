package io.ember.sdk;

/** The answer to {@code POST /ember/v1/uploads}: pass {@code uri} as the code artifact of an image. */
public record CodeArtifactUpload(String uploadId, String uri, long sizeInBytes) {

    public CodeArtifact codeArtifact() {
        return CodeArtifact.of(uri);
    }
}
