package io.ember.sdk;

/** ServiceQuotaExceededException: a host limit (running microVMs) is reached (402). */
public class ServiceQuotaExceededException extends EmberException {
    public ServiceQuotaExceededException(int httpStatus, String requestId, String message) {
        super("ServiceQuotaExceededException", httpStatus, requestId, message);
    }
}
