package io.ember.sdk;

/** No access key was found: the message names every place looked in and how to provide one. */
public final class MissingCredentialsException extends IllegalStateException {
    public MissingCredentialsException(String message) {
        super(message);
    }
}
