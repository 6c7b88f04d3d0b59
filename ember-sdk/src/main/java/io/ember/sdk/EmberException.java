package io.ember.sdk;

/**
 * An error answered by the Ember server (or reported inside an exec stream). Subclasses name the
 * model's error types; any other type arrives as this class with its {@link #errorType()}.
 * Transport failures (connection refused, stream cut) are {@link java.io.UncheckedIOException}s instead.
 */
public class EmberException extends RuntimeException {
    private final String errorType;
    private final int httpStatus;
    private final String requestId;

    public EmberException(String errorType, int httpStatus, String requestId, String message) {
        super(message);
        this.errorType = errorType;
        this.httpStatus = httpStatus;
        this.requestId = requestId;
    }

    /** The model's error type without namespace or suffix, e.g. {@code ValidationException}. */
    public String errorType() { return errorType; }

    /** The HTTP status of the answer (for an error inside an exec stream: the status the type maps to). */
    public int httpStatus() { return httpStatus; }

    /** The server's {@code x-amzn-RequestId}, or null. */
    public String requestId() { return requestId; }
}
