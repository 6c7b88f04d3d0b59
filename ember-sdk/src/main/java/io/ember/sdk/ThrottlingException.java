package io.ember.sdk;

/** ThrottlingException: too many requests; try again later (429). */
public class ThrottlingException extends EmberException {
    public ThrottlingException(int httpStatus, String requestId, String message) {
        super("ThrottlingException", httpStatus, requestId, message);
    }
}
