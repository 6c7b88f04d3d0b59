package io.ember.artifact;

/**
 * A code artifact that could not be read. {@link #reason()} is the code AWS reports as a failed build's
 * {@code stateReason} for the same cause (S3_NO_SUCH_KEY, S3_ACCESS_DENIED, ...); {@link #stateReason()} is that code
 * followed by what happened, in words.
 */
public final class ArtifactException extends Exception {
    public enum Reason {
        /** The bucket has no such key. */
        S3_NO_SUCH_KEY,
        /** The bucket does not exist. */
        S3_NO_SUCH_BUCKET,
        /** The store refused the server's credentials, or the bucket is not one the operator allows. */
        S3_ACCESS_DENIED,
        /** The object cannot be a code artifact: archived (not instantly readable), or larger than the cap. */
        S3_INVALID_OBJECT,
        /** The bucket is in another region than the one the server reads from. */
        S3_CROSS_REGION_ACCESS_DENIED,
        /** The store could not be reached or answered nonsense, or the server has no credentials: not the caller's doing. */
        INTERNAL_PLATFORM_ERROR
    }

    private final Reason reason;

    public ArtifactException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ArtifactException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** What a failed build reports: {@code S3_NO_SUCH_KEY: s3://b/k does not exist ...}. */
    public String stateReason() {
        return reason + ": " + getMessage();
    }
}
