package io.ember.endpoint;

/** A request to a microVM's endpoint or shell that its token does not allow; the message says why. */
public final class AccessDenied extends RuntimeException {
    public AccessDenied(String message) {
        super(message, null, false, false);
    }
}
