package io.ember.sdk;

/** ConflictException: the microVM's state does not allow the operation (409). */
public class ConflictException extends EmberException {
    public ConflictException(int httpStatus, String requestId, String message) {
        super("ConflictException", httpStatus, requestId, message);
    }
}
