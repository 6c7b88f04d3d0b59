package io.ember.secrets;

/** A request about secrets or roles that cannot be honoured; the API maps the kind to the model's error type. */
public final class SecretsException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND }

    private final Kind kind;
    private final String resourceType;
    private final String resourceId;

    SecretsException(Kind kind, String message, String resourceType, String resourceId) {
        super(message, null, false, false);
        this.kind = kind;
        this.resourceType = resourceType;
        this.resourceId = resourceId;
    }

    static SecretsException invalid(String message) {
        return new SecretsException(Kind.INVALID, message, null, null);
    }

    static SecretsException notFound(String message, String resourceType, String resourceId) {
        return new SecretsException(Kind.NOT_FOUND, message, resourceType, resourceId);
    }

    public Kind kind() {
        return kind;
    }

    public String resourceType() {
        return resourceType;
    }

    public String resourceId() {
        return resourceId;
    }
}
