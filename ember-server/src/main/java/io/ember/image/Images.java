package io.ember.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.hooks.HookContract;
import io.ember.artifact.ArtifactStore;
import io.ember.artifact.S3Location;
import io.ember.store.ImageBuildRecord;
import io.ember.store.ImageRecord;
import io.ember.store.ImageStore;
import io.ember.store.ImageVersionRecord;
import io.ember.vmm.Arch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Images built from a Dockerfile and a code zip (docs/images.md): the operations of the API, each checked and
 * recorded; builds run in the background through {@link ImageBuilder}. Refusals are {@link ImageException}s.
 */
public final class Images implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final ImageCatalog catalog;
    final ImageStore store;
    final Path root;
    final Uploads uploads;
    private final ImageBuilder builder;
    private final VersionBases versionBases;
    /** Serializes decisions against the builder picking a build up (delete must not race a start). */
    final Object lock = new Object();
    /** Sweeps old uploads while the server runs (see {@link Uploads#sweep}). */
    private final java.util.concurrent.ScheduledExecutorService uploadSweeper =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("upload-sweep").daemon().factory());
    private final PinnedBases bases;
    /** Where s3:// code artifacts are read from, when their build starts. */
    final ArtifactStore artifacts;

    Images(ImageCatalog catalog, ImageStore store, Path dataDir, BuildMachines machines, BuildSettings settings, ArtifactStore artifacts) {
        this.catalog = catalog;
        this.artifacts = artifacts;
        this.store = store;
        this.root = dataDir.resolve("images");
        this.uploads = new Uploads(dataDir.resolve("uploads"));
        this.bases = new PinnedBases(dataDir);
        this.builder = new ImageBuilder(this, machines, settings);
        this.versionBases = new VersionBases(this, settings.disk(), HostInfo.memoryMib());
    }

    /** Opens the service and its builder: builds cut short by a restart fail, queued ones are queued again. */
    public static Images start(ImageCatalog catalog, ImageStore store, Path dataDir, BuildMachines machines, BuildSettings settings) {
        return start(catalog, store, dataDir, machines, settings, ArtifactStore.none());
    }

    /** As above, reading s3:// code artifacts from {@code artifacts}. */
    public static Images start(ImageCatalog catalog, ImageStore store, Path dataDir, BuildMachines machines, BuildSettings settings,
                               ArtifactStore artifacts) {
        return start(catalog, store, dataDir, machines, settings, artifacts, Uploads.SWEEP_EVERY);
    }

    /** As above, sweeping old uploads every {@code uploadSweepEvery} (tests shorten it). */
    static Images start(ImageCatalog catalog, ImageStore store, Path dataDir, BuildMachines machines, BuildSettings settings,
                        java.time.Duration uploadSweepEvery) {
        return start(catalog, store, dataDir, machines, settings, ArtifactStore.none(), uploadSweepEvery);
    }

    private static Images start(ImageCatalog catalog, ImageStore store, Path dataDir, BuildMachines machines, BuildSettings settings,
                                ArtifactStore artifacts, java.time.Duration uploadSweepEvery) {
        Images images = new Images(catalog, store, dataDir, machines, settings, artifacts);
        images.builder.recover();
        images.sweepUploads(true); // at start nothing streams: every half-written upload goes too
        long every = uploadSweepEvery.toMillis();
        images.uploadSweeper.scheduleWithFixedDelay(() -> images.sweepUploads(false), every, every,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return images;
    }

    private void sweepUploads(boolean atStart) {
        try {
            int removed = uploads.sweep(Uploads.LIFETIME, atStart);
            if (removed > 0) org.slf4j.LoggerFactory.getLogger(Images.class).info("removed {} expired uploads", removed);
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Images.class).warn("cannot sweep old uploads: {}", e.toString());
        }
    }

    public Uploads uploads() {
        return uploads;
    }

    /** Launches of built and managed images. */
    public ImageSource source() {
        return new BuiltImageSource(this, bases);
    }

    public ImageRecord create(String tenantId, String name, ImageSpec spec) {
        ImageNames.check(name, catalog);
        String fingerprint = fingerprint(name, spec);
        synchronized (lock) {
            String token = token(tenantId, spec.clientToken());
            if (token != null) {
                Optional<ImageRecord> earlier = store.imageByToken(token);
                if (earlier.isPresent()) return sameRequest(earlier.get().fingerprint(), fingerprint, earlier.get());
            }
            if (store.image(tenantId, name).isPresent()) throw ImageException.conflict("an image named " + name + " exists", name);
            Base base = versionBases.base(tenantId, spec);
            versionBases.ensureDisk(base, spec, "CreateMicrovmImage of " + name);
            Instant now = Instant.now();
            String id = ImageIds.newId("img-");
            ImageRecord image = new ImageRecord(0, id, name, ImageIds.arn(tenantId, name), "CREATING", null, json(spec.tags()), now,
                    null, token, fingerprint, tenantId);
            Path dir = versionDir(id, 1);
            copyCode(tenantId, spec.codeArtifactUri(), dir);
            ImageVersionRecord v = version(id, 1, spec, base, now, null, null);
            ImageBuildRecord b = new ImageBuildRecord(0, ImageIds.newId("bld-"), id, 1, "PENDING", null, now, null, null, null,
                    null, null, null);
            try {
                store.create(image, v, b);
            } catch (RuntimeException e) {
                deleteTree(root.resolve(id));
                throw e;
            }
            builder.submit(b.id());
            return store.image(id).orElseThrow();
        }
    }

    /** A new version, built from {@code spec}; the image is UPDATING until its build ends. */
    public ImageVersionRecord update(String tenantId, String identifier, ImageSpec spec) {
        synchronized (lock) {
            ImageRecord image = image(tenantId, identifier);
            String fingerprint = fingerprint(image.id(), spec);
            String token = token(tenantId, spec.clientToken());
            if (token != null) {
                Optional<ImageVersionRecord> earlier = store.versionByToken(token);
                if (earlier.isPresent()) return sameRequest(earlier.get().fingerprint(), fingerprint, earlier.get());
            }
            if (image.state().equals("CREATING") || image.state().equals("UPDATING"))
                throw ImageException.conflict("image " + image.name() + " is " + image.state() + "; wait for its build to end", image.name());
            Base base = versionBases.base(tenantId, spec);
            versionBases.ensureDisk(base, spec, "UpdateMicrovmImage of " + image.name());
            Instant now = Instant.now();
            int version = store.nextVersion(image.id());
            Path dir = versionDir(image.id(), version);
            copyCode(tenantId, spec.codeArtifactUri(), dir);
            ImageVersionRecord v = version(image.id(), version, spec, base, now, token, fingerprint);
            ImageBuildRecord b = new ImageBuildRecord(0, ImageIds.newId("bld-"), image.id(), version, "PENDING", null, now, null,
                    null, null, null, null, null);
            try {
                store.addVersion(v, b, "UPDATING", now);
            } catch (RuntimeException e) {
                deleteTree(dir);
                throw e;
            }
            builder.submit(b.id());
            return v;
        }
    }

    /** One of a tenant's images by id, name or ARN; another tenant's is NOT_FOUND, exactly as one that does not exist. */
    public ImageRecord image(String tenantId, String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.length() > io.ember.arn.LambdaArn.MAX_IDENTIFIER)
            throw ImageException.invalid("imageIdentifier must be 1 to " + io.ember.arn.LambdaArn.MAX_IDENTIFIER + " characters");
        return store.image(tenantId, identifier).orElseThrow(() -> ImageException.notFound("image", identifier));
    }

    /** Client tokens are kept prefixed with their tenant's id: two tenants' never meet. */
    private static String token(String tenantId, String clientToken) {
        return clientToken == null ? null : tenantId + "/" + clientToken;
    }

    /** The tags of an image (id, name or ARN), sorted by key: those given at CreateMicrovmImage, as TagResource changed them. */
    public Map<String, String> tags(String tenantId, String identifier) {
        return map(image(tenantId, identifier).tagsJson());
    }

    /** Replaces the tags of an image with {@code change(current)}, atomically; an exception from {@code change} changes nothing. */
    public void updateTags(String tenantId, String identifier, java.util.function.UnaryOperator<Map<String, String>> change) {
        ImageRecord image = image(tenantId, identifier);
        if (!store.updateTags(image.id(), change)) throw ImageException.notFound("image", identifier);
    }

    public List<ImageRecord> list(String tenantId, long afterOrdinal, int limit, String nameFilter) {
        return store.images(tenantId, afterOrdinal, limit, nameFilter);
    }

    public List<ImageVersionRecord> versions(ImageRecord image) {
        return store.versions(image.id());
    }

    public ImageVersionRecord version(ImageRecord image, String version) {
        int v;
        try {
            v = parseVersion(version);
        } catch (ImageException e) {
            if (version != null && !version.isEmpty() && version.chars().noneMatch(Character::isWhitespace)) v = -1; // well formed, names none
            else throw e;
        }
        int n = v;
        return store.version(image.id(), n).filter(x -> n > 0)
                .orElseThrow(() -> ImageException.notFound("version " + version + " of image", image.name()));
    }

    public ImageBuildRecord build(ImageRecord image, String version, String buildId) {
        ImageVersionRecord v = version(image, version);
        return store.build(buildId).filter(b -> b.imageId().equals(image.id()) && b.version() == v.version())
                .orElseThrow(() -> ImageException.notFound("build", buildId));
    }

    /** What the build read as its s3:// code artifact (JSON: uri, eTag, versionId, sizeInBytes); empty for other code. */
    public Optional<String> codeSource(ImageBuildRecord build) {
        return store.buildCodeSource(build.id());
    }

    /** The build's log file, and whether the build has ended (no more bytes will come). */
    public record LogFile(Path path, boolean ended) {}

    public LogFile buildLog(ImageRecord image, String version, String buildId) {
        ImageBuildRecord b = build(image, version, buildId);
        return new LogFile(versionDir(image.id(), b.version()).resolve("build.log"),
                b.state().equals("SUCCESSFUL") || b.state().equals("FAILED"));
    }

    public List<ImageBuildRecord> builds(ImageRecord image, String version) {
        return store.builds(image.id(), version(image, version).version());
    }

    public ImageVersionRecord setStatus(String tenantId, String identifier, String version, String status) {
        if (!"ACTIVE".equals(status) && !"INACTIVE".equals(status)) throw ImageException.invalid("status must be ACTIVE or INACTIVE");
        synchronized (lock) {
            ImageRecord image = image(tenantId, identifier);
            ImageVersionRecord v = version(image, version);
            store.setStatus(image.id(), v.version(), status, Instant.now());
            return version(image, version);
        }
    }

    /** Removes the image, its versions and files. Conflict while a microVM runs it or a build of it runs. */
    public ImageRecord delete(String tenantId, String identifier) {
        synchronized (lock) {
            ImageRecord image = image(tenantId, identifier);
            if (store.microvmsUsing(image.arn(), null) > 0)
                throw ImageException.conflict("image " + image.name() + " is used by microVMs that are not TERMINATED", image.name());
            for (ImageVersionRecord v : store.versions(image.id())) refuseIfBuilding(image, v);
            store.setImageState(image.id(), "DELETING", Instant.now());
            deleteTree(root.resolve(image.id()));
            store.deleteImage(image.id());
            return image;
        }
    }

    public ImageVersionRecord deleteVersion(String tenantId, String identifier, String version) {
        synchronized (lock) {
            ImageRecord image = image(tenantId, identifier);
            ImageVersionRecord v = version(image, version);
            if (store.microvmsUsing(image.arn(), Integer.toString(v.version())) > 0)
                throw ImageException.conflict("version " + v.version() + " of image " + image.name()
                        + " is used by microVMs that are not TERMINATED", image.name());
            refuseIfBuilding(image, v);
            if (store.versions(image.id()).size() == 1)
                throw ImageException.conflict("version " + v.version() + " is the only version of image " + image.name()
                        + ": delete the image instead (DeleteMicrovmImage)", image.name());
            deleteTree(versionDir(image.id(), v.version()));
            store.deleteVersion(image.id(), v.version(), Instant.now());
            return v;
        }
    }

    private void refuseIfBuilding(ImageRecord image, ImageVersionRecord v) {
        if (v.state().equals("IN_PROGRESS"))
            throw ImageException.conflict("version " + v.version() + " of image " + image.name() + " is being built", image.name());
    }

    Path versionDir(String imageId, int version) {
        return root.resolve(imageId).resolve(Integer.toString(version));
    }

    /** A version as Ember numbers them (1, 2, ...), in AWS's major.minor form too ("1.0", docs/images.md). */
    static int parseVersion(String version) {
        if (version == null || !version.matches("[1-9][0-9]{0,8}(\\.0)?")) throw ImageException.invalid("imageVersion must be 1.0, 2.0, ...");
        return Integer.parseInt(version.endsWith(".0") ? version.substring(0, version.length() - 2) : version);
    }

    /** The base of a build: see {@link VersionBases#base}. */
    Base base(String tenantId, String id, String version, Arch arch) {
        return versionBases.base(tenantId, id, version, arch);
    }

    private ImageVersionRecord version(String imageId, int version, ImageSpec spec, Base base, Instant now, String token,
                                       String fingerprint) {
        SizeClass size = versionBases.size(spec);
        ObjectNode echo = spec.echo().deepCopy();
        echo.put("baseImageArn", base.arn());
        echo.put("baseImageVersion", base.version());
        return new ImageVersionRecord(imageId, version, "PENDING", "ACTIVE", null, echo.toString(), size.peakVcpus,
                size.peakMemoryMib, json(spec.environment()), now, null, token, fingerprint, HookContract.AWS.marker(),
                size.baselineMemoryMib);
    }

    /**
     * Resolves the code artifact and copies it into the version directory (the build reads it there). An s3:// one is
     * only checked for form and against the bucket allow-list: its build reads it when it starts (S3Code).
     */
    private void copyCode(String tenantId, String uri, Path dir) {
        if (S3Location.isS3(uri)) {
            S3Code.check(artifacts, uri);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            }
            return;
        }
        Path source = uploads.resolve(tenantId, uri);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("code.zip.tmp");
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, dir.resolve("code.zip"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(dir);
            throw ImageException.invalid("cannot read the code artifact " + uri + ": " + e.getMessage());
        }
    }

    private static <T> T sameRequest(String earlier, String now, T result) {
        if (!now.equals(earlier)) throw ImageException.conflict("clientToken was used with a different request", null);
        return result;
    }

    private static String fingerprint(String subject, ImageSpec spec) {
        try {
            String text = subject + "\n" + JSON.writeValueAsString(spec.echo()) + "\n"
                    + JSON.writeValueAsString(spec.tags() == null ? Map.of() : new TreeMap<>(spec.tags()));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(Map<String, String> map) {
        if (map == null) return null;
        try {
            return JSON.writeValueAsString(new TreeMap<>(map));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> map(String json) {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored map is not JSON: " + e.getMessage());
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    @Override
    public void close() {
        uploadSweeper.shutdownNow();
        builder.close();
    }
}
