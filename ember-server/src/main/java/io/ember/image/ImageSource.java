package io.ember.image;

import java.util.Optional;

/** Finds what an image identifier (name or ARN, managed or built) and optional version launch. */
public interface ImageSource {

    /**
     * Empty when no image has that identifier. A version that does not exist, is not SUCCESSFUL, or is
     * INACTIVE is an {@link ImageUnavailableException} naming why.
     *
     * @param version null for the image's latest active version
     */
    Optional<LaunchSource> resolve(String tenantId, String identifier, String version);

    /** The ARN of the image an identifier names (for ListMicrovms filters), if it exists and the tenant may use it. */
    Optional<String> arn(String tenantId, String identifier);

    /** Only the managed images of the catalog. */
    static ImageSource managed(ImageCatalog catalog) {
        return new ImageSource() {
            @Override
            public Optional<LaunchSource> resolve(String tenantId, String identifier, String version) {
                return catalog.find(identifier).map(m -> {
                    if (version != null && !version.equals(m.version()))
                        throw new ImageUnavailableException("image " + m.name() + " has no version " + version
                                + " (it has " + m.version() + ")", true);
                    return LaunchSource.of(m);
                });
            }

            @Override
            public Optional<String> arn(String tenantId, String identifier) {
                return catalog.find(identifier).map(ManagedImage::arn);
            }
        };
    }
}
