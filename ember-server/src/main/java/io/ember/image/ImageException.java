package io.ember.image;

/** An image request that cannot be done, with the kind of refusal the API reports. */
public final class ImageException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT, QUOTA_EXCEEDED, INSUFFICIENT_CAPACITY }

    private final Kind kind;
    private final String resourceId;

    public ImageException(Kind kind, String message, String resourceId) {
        super(message);
        this.kind = kind;
        this.resourceId = resourceId;
    }

    public Kind kind() { return kind; }

    public String resourceId() { return resourceId; }

    static ImageException invalid(String message) {
        return new ImageException(Kind.INVALID, message, null);
    }

    static ImageException notFound(String what, String id) {
        return new ImageException(Kind.NOT_FOUND, what + " " + id + " not found", id);
    }

    /** A tenant quota reached; {@code quotaCode} names it. */
    static ImageException quotaExceeded(String message, String quotaCode) {
        return new ImageException(Kind.QUOTA_EXCEEDED, message, quotaCode);
    }

    static ImageException noCapacity(String message) {
        return new ImageException(Kind.INSUFFICIENT_CAPACITY, message, null);
    }

    static ImageException conflict(String message, String id) {
        return new ImageException(Kind.CONFLICT, message, id);
    }
}
