package io.ember.network;

/** A network namespace, link or ruleset could not be made or removed; the message says which command and why. */
public final class NetworkException extends RuntimeException {
    public NetworkException(String message) {
        super(message);
    }
}
