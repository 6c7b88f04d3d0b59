package io.ember.auth;

/**
 * A request whose SigV4 signature does not hold, with the AWS error code a client expects
 * (MissingAuthenticationTokenException, IncompleteSignatureException, InvalidSignatureException,
 * UnrecognizedClientException, SignatureExpired...) and a message that never repeats a secret.
 */
public final class SignatureRejected extends RuntimeException {
    private final String code;

    public SignatureRejected(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
