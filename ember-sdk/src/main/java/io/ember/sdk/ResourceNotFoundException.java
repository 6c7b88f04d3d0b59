package io.ember.sdk;

/** ResourceNotFoundException: unknown microVM, image or file (404). */
public class ResourceNotFoundException extends EmberException {
    private final String resourceType;
    private final String resourceId;

    public ResourceNotFoundException(int httpStatus, String requestId, String message,
                                     String resourceType, String resourceId) {
        super("ResourceNotFoundException", httpStatus, requestId, message);
        this.resourceType = resourceType;
        this.resourceId = resourceId;
    }

    /** What was not found (e.g. {@code microvm}), or null when the server did not say. */
    public String resourceType() { return resourceType; }

    /** The identifier that was not found, or null when the server did not say. */
    public String resourceId() { return resourceId; }
}
