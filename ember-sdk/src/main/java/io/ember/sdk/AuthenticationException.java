package io.ember.sdk;

/**
 * The server did not accept the request's signature (403): an unknown or revoked access key
 * ({@code UnrecognizedClientException}), a wrong secret or a clock more than 5 minutes off
 * ({@code InvalidSignatureException}), a malformed or replayed signature ({@code IncompleteSignatureException}),
 * or none at all ({@code MissingAuthenticationTokenException}); {@link #errorType()} says which.
 */
public class AuthenticationException extends EmberException {
    public AuthenticationException(String errorType, int httpStatus, String requestId, String message) {
        super(errorType, httpStatus, requestId, message);
    }
}
