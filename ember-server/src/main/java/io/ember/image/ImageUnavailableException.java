package io.ember.image;

/** An image exists but cannot launch as asked. {@code notFound}: the version does not exist (else: not usable now). */
public final class ImageUnavailableException extends RuntimeException {
    private final boolean notFound;

    public ImageUnavailableException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    public boolean notFound() {
        return notFound;
    }
}
