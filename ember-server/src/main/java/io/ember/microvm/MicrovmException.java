package io.ember.microvm;

/** A lifecycle request that cannot be done, with the kind of refusal the API reports. */
public class MicrovmException extends RuntimeException {

    public enum Kind { INVALID, NOT_FOUND, CONFLICT, QUOTA_EXCEEDED, INSUFFICIENT_CAPACITY, INTERNAL }

    private final Kind kind;
    private final String resourceType;
    private final String resourceId;

    public MicrovmException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public MicrovmException(Kind kind, String message, String resourceType, String resourceId) {
        super(message);
        this.kind = kind;
        this.resourceType = resourceType;
        this.resourceId = resourceId;
    }

    public Kind kind() { return kind; }

    public String resourceType() { return resourceType; }

    public String resourceId() { return resourceId; }

    static MicrovmException notFound(String id) {
        return new MicrovmException(Kind.NOT_FOUND, "microVM " + id + " not found", "Microvm", id);
    }
}
