package io.ember.sdk;

/** ServiceQuotaExceededException: a tenant quota or a host limit is reached; the message names it (402). */
public class ServiceQuotaExceededException extends EmberException {
    public ServiceQuotaExceededException(int httpStatus, String requestId, String message) {
        super("ServiceQuotaExceededException", httpStatus, requestId, message);
    }
}
