package io.ember.connector;

/** A network connector request that cannot be done, with the kind of refusal the API reports. */
public final class ConnectorException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String resourceId;

    public ConnectorException(Kind kind, String message, String resourceId) {
        super(message);
        this.kind = kind;
        this.resourceId = resourceId;
    }

    public Kind kind() {
        return kind;
    }

    public String resourceId() {
        return resourceId;
    }

    static ConnectorException invalid(String message) {
        return new ConnectorException(Kind.INVALID, message, null);
    }
}
