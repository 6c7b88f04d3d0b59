package io.ember.image;

import io.ember.hooks.HookContract;
import io.ember.hooks.Hooks;
import io.ember.store.ImageRecord;
import io.ember.store.ImageVersionRecord;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Managed images from the catalog, then built images from the store (docs/images.md, "Launching"). */
final class BuiltImageSource implements ImageSource {
    private final Images images;
    private final ImageSource managed;
    private final PinnedBases bases;

    BuiltImageSource(Images images, PinnedBases bases) {
        this.images = images;
        this.managed = ImageSource.managed(images.catalog);
        this.bases = bases;
    }

    @Override
    public Optional<LaunchSource> resolve(String tenantId, String identifier, String version) {
        if (images.catalog.find(identifier).isPresent()) {
            return managed.resolve(tenantId, identifier, version).map(m -> new LaunchSource(m.imageArn(), m.imageName(),
                    m.imageVersion(), m.vcpus(), m.memoryMib(), m.environment(), bases.pin(m.imageName(), m.rootfs()), null));
        }
        Optional<ImageRecord> found = images.store.image(tenantId, identifier);
        if (found.isEmpty()) return Optional.empty();
        ImageRecord image = found.get();
        ImageVersionRecord v;
        if (version == null) {
            v = images.store.versions(image.id()).stream()
                    .filter(x -> x.state().equals("SUCCESSFUL") && x.status().equals("ACTIVE"))
                    .max(Comparator.comparingInt(ImageVersionRecord::version))
                    .orElseThrow(() -> new ImageUnavailableException("image " + image.name()
                            + " has no active version whose build succeeded", false));
        } else {
            int n;
            try {
                n = Images.parseVersion(version);
            } catch (ImageException e) {
                throw new ImageUnavailableException("image " + image.name() + " has no version " + version, true);
            }
            v = images.store.version(image.id(), n).orElseThrow(() ->
                    new ImageUnavailableException("image " + image.name() + " has no version " + version, true));
            if (!v.state().equals("SUCCESSFUL"))
                throw new ImageUnavailableException("version " + version + " of image " + image.name() + " is " + v.state()
                        + (v.stateReason() == null ? "" : ": " + v.stateReason()), false);
            if (!v.status().equals("ACTIVE"))
                throw new ImageUnavailableException("version " + version + " of image " + image.name() + " is INACTIVE", false);
        }
        Path dir = images.versionDir(image.id(), v.version());
        Map<String, String> env = new TreeMap<>(Images.map(v.environmentJson()));
        return Optional.of(new LaunchSource(image.arn(), image.name(), Integer.toString(v.version()), v.vcpus(), v.memoryMib(), env,
                dir.resolve("rootfs.ext4"), dir.resolve("snapshot"), hooks(image, v), egress(v), SizeClass.ofStored(v.sizeMib()).orElse(null),
                ImageArchitecture.of(v)));
    }

    /** The version's egressNetworkConnectors, from its stored request (their form checked when it was accepted). */
    static java.util.List<String> egress(ImageVersionRecord v) {
        try {
            var list = Images.JSON.readTree(v.specJson()).get("egressNetworkConnectors");
            java.util.List<String> out = new java.util.ArrayList<>();
            if (list != null && list.isArray()) list.forEach(n -> out.add(n.asText()));
            return out;
        } catch (java.io.IOException e) {
            return java.util.List.of();
        }
    }

    /** The version's hooks, from its stored request (checked when it was accepted), under the contract it was made under. */
    static Hooks hooks(ImageRecord image, ImageVersionRecord v) {
        try {
            return Hooks.parse(Images.JSON.readTree(v.specJson()).get("hooks"), HookContract.ofMarker(v.hooksContract()));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new ImageUnavailableException("version " + v.version() + " of image " + image.name()
                    + " has unusable hooks: " + e.getMessage(), false);
        }
    }

    @Override
    public Optional<String> arn(String tenantId, String identifier) {
        Optional<String> m = managed.arn(tenantId, identifier);
        return m.isPresent() ? m : images.store.image(tenantId, identifier).map(ImageRecord::arn);
    }
}
