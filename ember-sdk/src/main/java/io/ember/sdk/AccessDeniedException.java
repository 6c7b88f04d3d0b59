package io.ember.sdk;

/** AccessDeniedException: a token is missing, malformed, expired, or for something else (403). */
public class AccessDeniedException extends EmberException {
    public AccessDeniedException(int httpStatus, String requestId, String message) {
        super("AccessDeniedException", httpStatus, requestId, message);
    }
}
