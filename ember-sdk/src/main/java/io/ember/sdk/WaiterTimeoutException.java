package io.ember.sdk;

/** A waiter ({@code waitUntilState}, {@code waitForImageVersion}, ...) ran out of time; errorType {@code WaiterTimeout}. */
public class WaiterTimeoutException extends EmberException {
    public WaiterTimeoutException(String message) {
        super("WaiterTimeout", 0, null, message);
    }
}
