package io.ember.sdk;

/** ValidationException: missing or malformed fields, values out of range, malformed JSON (400). */
public class ValidationException extends EmberException {
    public ValidationException(int httpStatus, String requestId, String message) {
        super("ValidationException", httpStatus, requestId, message);
    }
}
