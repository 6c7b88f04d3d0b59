package io.ember.sdk;

/** InsufficientCapacityException: the host has no room (memory or vCPUs, after overcommit) for the request (500). */
public class InsufficientCapacityException extends EmberException {
    public InsufficientCapacityException(int httpStatus, String requestId, String message) {
        super("InsufficientCapacityException", httpStatus, requestId, message);
    }
}
