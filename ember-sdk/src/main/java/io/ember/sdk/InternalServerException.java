package io.ember.sdk;

/** InternalServerException: a server bug or host failure (500). */
public class InternalServerException extends EmberException {
    public InternalServerException(int httpStatus, String requestId, String message) {
        super("InternalServerException", httpStatus, requestId, message);
    }
}
