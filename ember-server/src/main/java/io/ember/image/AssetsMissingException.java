package io.ember.image;

/** The guest assets (kernel, initramfs, base images) are not where the server looks for them. */
public class AssetsMissingException extends RuntimeException {
    public AssetsMissingException(String message) {
        super(message);
    }
}
