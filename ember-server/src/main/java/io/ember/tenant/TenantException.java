package io.ember.tenant;

/** A tenant or access-key operation refused; {@link Kind} says how the API answers it. */
public final class TenantException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;

    TenantException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
