package io.ember.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.arn.LambdaArn;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import io.ember.vmm.Arch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed images and the boot files every guest shares, read once from the assets directory
 * (layout in the project brief: kernel/vmlinux, initramfs.cpio.gz, images/NAME/{image.json,rootfs.ext4}). The
 * x86-64 guests' assets are at the top; arm64 guests' (kernel/Image, initramfs.cpio.gz, images/...) in {@code arm64/},
 * present only when {@code bin/ember setup --arch arm64} built them (docs/images.md, "Architectures").
 */
public final class ImageCatalog {
    private static final Logger log = LoggerFactory.getLogger(ImageCatalog.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Path kernel;
    private final Path initrd;
    private final List<ManagedImage> images;
    private final Arch arch;
    /** The arm64 guests' catalog (in the x86-64 one), or null when their assets were not built. */
    private final ImageCatalog arm64;

    private ImageCatalog(Path kernel, Path initrd, List<ManagedImage> images, Arch arch, ImageCatalog arm64) {
        this.kernel = kernel;
        this.initrd = initrd;
        this.images = List.copyOf(images);
        this.arch = arch;
        this.arm64 = arm64;
    }

    /** Reads the catalog; throws {@link AssetsMissingException} naming what is missing and how to make it. */
    public static ImageCatalog load(Path assetsDir) {
        Path arm = assetsDir.resolve(ARM64_DIR);
        ImageCatalog arm64 = null;
        if (Files.isRegularFile(arm.resolve("kernel/Image"))) {
            try {
                arm64 = load(arm, Arch.ARM64, null);
            } catch (AssetsMissingException e) {
                log.warn("arm64 guests unavailable: {}", e.getMessage());
            }
        }
        return load(assetsDir, Arch.X86_64, arm64);
    }

    /** Where the arm64 assets are, under the assets directory. */
    static final String ARM64_DIR = "arm64";

    private static ImageCatalog load(Path assetsDir, Arch arch, ImageCatalog arm64) {
        Path kernel = assetsDir.resolve(arch == Arch.ARM64 ? "kernel/Image" : "kernel/vmlinux");
        Path initrd = assetsDir.resolve("initramfs.cpio.gz");
        for (Path p : List.of(kernel, initrd)) {
            if (!Files.isRegularFile(p)) throw missing(assetsDir, p + " not found");
        }
        List<ManagedImage> images = new ArrayList<>();
        Path dir = assetsDir.resolve("images");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path imageDir : entries) readImage(imageDir).ifPresent(images::add);
            } catch (IOException e) {
                throw missing(assetsDir, "cannot read " + dir + ": " + e.getMessage());
            }
        }
        if (images.isEmpty()) throw missing(assetsDir, "no image in " + dir);
        images.sort(Comparator.comparing(ManagedImage::name));
        return new ImageCatalog(kernel, initrd, images, arch, arm64);
    }

    /** The guests' architecture of this catalog. */
    public Arch arch() {
        return arch;
    }

    /** Whether guests of {@code a} can run: their kernel, initramfs and managed images were built. */
    public boolean supports(Arch a) {
        return a == arch || (a == Arch.ARM64 && arm64 != null);
    }

    /**
     * The catalog of {@code a}'s guests: this one, or the arm64 one.
     *
     * @throws AssetsMissingException when that architecture's assets were not built
     */
    public ImageCatalog of(Arch a) {
        if (a == arch) return this;
        if (a == Arch.ARM64 && arm64 != null) return arm64;
        throw new AssetsMissingException("no guest assets for " + HostInfo.apiName(a)
                + " microVMs: run `bin/ember setup --arch arm64` to build them");
    }

    public Path kernel() {
        return kernel;
    }

    public Path initrd() {
        return initrd;
    }

    /** All images, by name. */
    public List<ManagedImage> images() {
        return images;
    }

    /**
     * By name ({@code busybox}) or ARN, in any region ({@code arn:aws:lambda:eu-west-1:aws:microvm-image:busybox}) or
     * Ember's older form ({@code arn:aws:lambda:local:aws:microvm-image/busybox}).
     */
    public Optional<ManagedImage> find(String identifier) {
        String name = !identifier.startsWith("arn:") ? identifier // null: an ARN of no managed image (another account's)
                : LambdaArn.parse(identifier, LambdaArn.IMAGE).filter(LambdaArn::isManaged).map(LambdaArn::resource).orElse(null);
        return images.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    private static Optional<ManagedImage> readImage(Path dir) {
        Path json = dir.resolve("image.json");
        Path rootfs = dir.resolve("rootfs.ext4");
        if (!Files.isRegularFile(json) || !Files.isRegularFile(rootfs)) {
            log.warn("Skipping image directory {}: image.json or rootfs.ext4 missing", dir);
            return Optional.empty();
        }
        try {
            JsonNode n = new ObjectMapper().readTree(json.toFile());
            String name = n.path("name").asText("");
            if (!NAME.matcher(name).matches() || !name.equals(dir.getFileName().toString())) {
                log.warn("Skipping {}: name '{}' is invalid or differs from its directory", json, name);
                return Optional.empty();
            }
            int vcpus = n.path("vcpus").asInt(1);
            int memory = n.path("memoryMib").asInt(128);
            if (vcpus < 1 || vcpus > 64 || memory < 64 || memory > 65536) {
                log.warn("Skipping {}: vcpus {} or memoryMib {} out of range", json, vcpus, memory);
                return Optional.empty();
            }
            Instant created = n.hasNonNull("createdAt")
                    ? Instant.parse(n.get("createdAt").asText())
                    : Files.getLastModifiedTime(json).toInstant();
            return Optional.of(new ManagedImage(name, n.path("version").asText("1"), n.path("description").asText(""),
                    vcpus, memory, created, rootfs));
        } catch (IOException | DateTimeParseException e) {
            log.warn("Skipping {}: {}", json, e.getMessage());
            return Optional.empty();
        }
    }

    private static AssetsMissingException missing(Path assetsDir, String what) {
        return new AssetsMissingException("Guest assets missing in " + assetsDir + " (" + what
                + "): run `bin/ember setup` to build them, or point EMBER_ASSETS_DIR at them");
    }
}
