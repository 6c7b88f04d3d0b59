package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.Region;
import io.ember.hooks.Hooks;
import io.ember.image.HostInfo;
import io.ember.image.ImageArchitecture;
import io.ember.vmm.Arch;
import io.ember.image.ImageException;
import io.ember.image.ImageSpec;
import io.ember.image.Images;
import io.ember.store.ImageBuildRecord;
import io.ember.store.ImageRecord;
import io.ember.store.ImageVersionRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The operations on images built from a Dockerfile (docs/images.md): create, update, versions, builds, delete. */
final class MicrovmImageRoutes {
    static final String BASE = "/2025-09-09/microvm-images";
    private static final int MAX_ID = 2048;
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** The model's CodeArtifact.uri pattern. */
    /** Version fields of the request, returned as given by the version operations. */
    private static final List<String> ECHO = List.of("baseImageArn", "baseImageVersion", "buildRoleArn", "description", "codeArtifact",
            "logging", "egressNetworkConnectors", "cpuConfigurations", "resources", "additionalOsCapabilities", "hooks",
            "environmentVariables");

    private final Images images;
    private final Region region; // of the ARNs answered

    MicrovmImageRoutes(Images images, Region region) {
        this.images = images;
        this.region = region;
    }

    void register(Javalin app) {
        app.exception(ImageException.class, (e, ctx) -> ErrorMapper.send(ctx, translate(e)));
        app.post(BASE, this::create);
        app.get(BASE, this::list);
        app.get(BASE + "/{imageIdentifier}", ctx -> Json.ok(ctx, imageView(image(ctx))));
        app.put(BASE + "/{imageIdentifier}", this::update);
        app.delete(BASE + "/{imageIdentifier}", this::delete);
        app.get(BASE + "/{imageIdentifier}/versions", this::versions);
        app.get(BASE + "/{imageIdentifier}/versions/{imageVersion}", ctx -> {
            ImageRecord image = image(ctx);
            Json.ok(ctx, versionView(image, images.version(image, ctx.pathParam("imageVersion"))));
        });
        app.patch(BASE + "/{imageIdentifier}/versions/{imageVersion}", this::setStatus);
        app.delete(BASE + "/{imageIdentifier}/versions/{imageVersion}", this::deleteVersion);
        app.get(BASE + "/{imageIdentifier}/versions/{imageVersion}/builds", this::builds);
        app.get(BASE + "/{imageIdentifier}/versions/{imageVersion}/builds/{buildId}", ctx -> {
            ImageRecord image = image(ctx);
            ImageBuildRecord b = images.build(image, ctx.pathParam("imageVersion"), ctx.pathParam("buildId"));
            ObjectNode out = buildView(image, b, archOf(image, ctx.pathParam("imageVersion")), true);
            // Ember addition: the s3:// object the build read (ETag, version id), as it was when the build started
            images.codeSource(b).ifPresent(json -> out.set("codeArtifactSource", tree(json)));
            Json.ok(ctx, out);
        });
    }

    static ApiException translate(ImageException e) {
        return switch (e.kind()) {
            case INVALID -> ApiException.validation(e.getMessage());
            case NOT_FOUND -> ApiException.notFound(e.getMessage(), "MicrovmImage", e.resourceId());
            case CONFLICT -> ApiException.conflict(e.getMessage(), "MicrovmImage", e.resourceId());
            case QUOTA_EXCEEDED -> ApiException.quotaExceeded(e.getMessage(), e.resourceId());
            case INSUFFICIENT_CAPACITY -> new ApiException("InsufficientCapacityException", 500, e.getMessage(), java.util.Map.of());
        };
    }

    private ImageRecord image(Context ctx) {
        return images.image(Caller.of(ctx).tenantId(), identifier(ctx));
    }

    private static String identifier(Context ctx) {
        return Constraints.identifier("imageIdentifier", ctx.pathParam("imageIdentifier"));
    }

    private void create(Context ctx) {
        ObjectNode body = Json.body(ctx);
        String name = Fields.string(body, "name", true, 64);
        ImageRecord image = images.create(Caller.of(ctx).tenantId(), name, parseSpec(body));
        ImageVersionRecord v = images.versions(image).getLast();
        ObjectNode out = imageView(image);
        out.setAll(spec(v));
        out.put("imageVersion", Versions.external(v.version()));
        Json.send(ctx, 201, out);
    }

    private void update(Context ctx) {
        ImageVersionRecord v = images.update(Caller.of(ctx).tenantId(), identifier(ctx), parseSpec(Json.body(ctx)));
        ObjectNode out = imageView(images.image(Caller.of(ctx).tenantId(), v.imageId()));
        out.setAll(spec(v));
        out.put("imageVersion", Versions.external(v.version()));
        Json.ok(ctx, out);
    }

    /** The request's version fields, checked for form; the service checks what they name. */
    static ImageSpec parseSpec(ObjectNode body) {
        String base = Constraints.nonBlank(body, "baseImageArn", true);
        String baseVersion = Versions.internal(Constraints.nonBlank(body, "baseImageVersion", false));
        if (baseVersion != null && baseVersion.length() > 64) throw ApiException.validation("baseImageVersion must be at most 64 characters");
        Constraints.roleArn(body, "buildRoleArn", true); // required by AWS; Ember's builds assume no role
        Fields.string(body, "description", false, 1024);
        ObjectNode code = Fields.object(body, "codeArtifact");
        if (code == null) throw ApiException.validation("codeArtifact is required");
        String uri = Constraints.nonBlank(Fields.named("codeArtifact", code), "codeArtifact.uri", true);
        Constraints.logging(body);
        try {
            Hooks.parse(body.get("hooks")); // checked here; stored as given with the version and read again at launch
        } catch (IllegalArgumentException e) {
            throw ApiException.validation(e.getMessage());
        }
        List<String> capabilities = Fields.strings(body, "additionalOsCapabilities", 16, 64);
        if (capabilities != null && capabilities.stream().anyMatch(c -> !c.equals("ALL")))
            throw ApiException.validation("additionalOsCapabilities: the only capability is ALL, got " + capabilities);
        List<String> egress = Fields.strings(body, "egressNetworkConnectors", Constraints.MAX_CONNECTORS, MAX_ID);
        try {
            io.ember.connector.NetworkConnectors.checkImageEgress(egress); // form only: resolved at each RunMicrovm
        } catch (io.ember.connector.ConnectorException e) {
            throw ApiException.validation(e.getMessage());
        }
        JsonNode cpus = body.get("cpuConfigurations");
        if (cpus != null && !cpus.isNull()) {
            if (!cpus.isArray() || cpus.size() > 1) throw ApiException.validation("cpuConfigurations must be an array of at most 1 item");
            // ARM_64 is AWS's one value; X86_64 is Ember's extension. Whether this server has the assets for the
            // architecture is the service's check (a ValidationException naming `bin/ember setup --arch arm64`).
            for (JsonNode c : cpus) {
                String arch = c.path("architecture").asText("");
                if (HostInfo.parseArchitecture(arch) == null)
                    throw ApiException.validation("cpuConfigurations[0].architecture must be ARM_64 or X86_64 (got '" + arch + "')");
            }
        }
        Integer memory = null, vcpus = null;
        JsonNode res = body.get("resources");
        if (res != null && !res.isNull()) {
            if (!res.isArray() || res.size() > 1) throw ApiException.validation("resources must be an array of at most 1 item");
            if (res.size() == 1) {
                if (!(res.get(0) instanceof ObjectNode r)) throw ApiException.validation("resources[0] must be an object");
                ObjectNode named = Fields.named("resources[0]", r);
                memory = Fields.integer(named, "resources[0].minimumMemoryInMiB", true, 1, Integer.MAX_VALUE);
                vcpus = Fields.integer(named, "resources[0].vcpus", false, 1, 1024);
            }
        }
        Map<String, String> env = Fields.stringMap(body, "environmentVariables", Constraints.MAX_ENVIRONMENT_VARIABLES, 4096);
        if (env != null) {
            long total = 0;
            for (var e : env.entrySet()) {
                if (!ENV_KEY.matcher(e.getKey()).matches())
                    throw ApiException.validation("environmentVariables key '" + e.getKey() + "' must match " + ENV_KEY.pattern());
                if (e.getValue().indexOf('\0') >= 0) throw ApiException.validation("environmentVariables." + e.getKey() + " contains NUL");
                total += e.getKey().length() + e.getValue().length();
            }
            if (total > 32_768) throw ApiException.validation("environmentVariables total more than 32768 characters");
        }
        Map<String, String> tags = TagRoutes.parse(body, "tags");
        String token = Constraints.clientToken(body);
        ObjectNode echo = Json.object();
        for (String f : ECHO) {
            JsonNode v = body.get(f);
            if (v != null && !v.isNull()) echo.set(f, v.deepCopy());
        }
        return new ImageSpec(echo, base, baseVersion, uri, vcpus, memory, env, tags, token);
    }

    private void list(Context ctx) {
        String filter = ctx.queryParam("nameFilter");
        if (filter != null && filter.length() > 64) throw ApiException.validation("nameFilter must be at most 64 characters");
        String tenantId = Caller.of(ctx).tenantId();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        PageToken.pageStored(ctx, "microvm-images", out, (after, limit) -> images.list(tenantId, after, limit, filter),
                ImageRecord::ordinal, r -> {
                    ObjectNode o = imageView(r);
                    o.remove("tags");
                    o.remove("updatedAt");
                    items.add(o);
                });
        Json.ok(ctx, out);
    }

    private void versions(Context ctx) {
        ImageRecord image = image(ctx);
        List<ImageVersionRecord> all = images.versions(image);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        PageToken.page(ctx, "microvm-image-versions", all.size(), out, i -> items.add(versionView(image, all.get(i))));
        Json.ok(ctx, out);
    }

    private void builds(Context ctx) {
        ImageRecord image = image(ctx);
        String arch = ctx.queryParam("architecture"), chipset = ctx.queryParam("chipset"), gen = ctx.queryParam("chipsetGeneration");
        Arch built = archOf(image, ctx.pathParam("imageVersion"));
        boolean match = (arch == null || arch.equals(HostInfo.apiName(built))) && (chipset == null || chipset.equals(HostInfo.chipset(built)))
                && (gen == null || gen.equals(HostInfo.chipsetGeneration(built)));
        List<ImageBuildRecord> all = match ? images.builds(image, ctx.pathParam("imageVersion")) : List.of();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        PageToken.page(ctx, "microvm-image-builds", all.size(), out, i -> items.add(buildView(image, all.get(i), built, false)));
        Json.ok(ctx, out);
    }

    private void setStatus(Context ctx) {
        String status = Fields.string(Json.body(ctx), "status", true, 16);
        ImageVersionRecord v = images.setStatus(Caller.of(ctx).tenantId(), identifier(ctx), ctx.pathParam("imageVersion"), status);
        Json.ok(ctx, versionView(images.image(Caller.of(ctx).tenantId(), v.imageId()), v));
    }

    /** Idempotent, as the model says: an image that is gone (or never was) is answered DELETED too. */
    private void delete(Context ctx) {
        String id = identifier(ctx);
        try {
            images.delete(Caller.of(ctx).tenantId(), id);
        } catch (ImageException e) {
            if (e.kind() != ImageException.Kind.NOT_FOUND) throw e;
        }
        ObjectNode out = Json.object();
        out.put("imageIdentifier", id);
        out.put("state", "DELETED");
        Json.ok(ctx, out);
    }

    private void deleteVersion(Context ctx) {
        String id = identifier(ctx);
        ImageVersionRecord v = images.deleteVersion(Caller.of(ctx).tenantId(), id, ctx.pathParam("imageVersion"));
        ObjectNode out = Json.object();
        out.put("imageIdentifier", id);
        out.put("imageVersion", Versions.external(v.version()));
        out.put("state", "DELETED");
        Json.ok(ctx, out);
    }

    private ObjectNode imageView(ImageRecord r) {
        List<ImageVersionRecord> versions = images.versions(r);
        ObjectNode o = Json.object();
        o.put("imageArn", region.render(r.arn()));
        o.put("name", r.name());
        o.put("state", r.state());
        if (r.stateReason() != null) o.put("stateReason", r.stateReason());
        o.put("createdAt", Json.epochSeconds(r.createdAt()));
        latest(versions, v -> v.state().equals("SUCCESSFUL") && v.status().equals("ACTIVE"))
                .ifPresent(v -> o.put("latestActiveImageVersion", Versions.external(v.version())));
        latest(versions, v -> v.state().equals("FAILED")).ifPresent(v -> o.put("latestFailedImageVersion", Versions.external(v.version())));
        if (r.tagsJson() != null) o.set("tags", tree(r.tagsJson()));
        if (r.updatedAt() != null) o.put("updatedAt", Json.epochSeconds(r.updatedAt()));
        return o;
    }

    private static Optional<ImageVersionRecord> latest(List<ImageVersionRecord> all, java.util.function.Predicate<ImageVersionRecord> p) {
        return all.stream().filter(p).max(Comparator.comparingInt(ImageVersionRecord::version));
    }

    private ObjectNode versionView(ImageRecord image, ImageVersionRecord v) {
        ObjectNode o = spec(v);
        o.put("imageArn", region.render(image.arn()));
        o.put("imageVersion", Versions.external(v.version()));
        o.put("state", v.state());
        o.put("status", v.status());
        o.put("createdAt", Json.epochSeconds(v.createdAt()));
        if (v.updatedAt() != null) o.put("updatedAt", Json.epochSeconds(v.updatedAt()));
        if (v.stateReason() != null) o.put("stateReason", v.stateReason());
        if (image.tagsJson() != null) o.set("tags", tree(image.tagsJson()));
        return o;
    }

    /** The version's request as kept: its ARNs in this server's region, the base's version in AWS's form. */
    private ObjectNode spec(ImageVersionRecord v) {
        ObjectNode o = (ObjectNode) tree(v.specJson());
        if (o.path("baseImageVersion").isTextual()) o.put("baseImageVersion", Versions.external(o.get("baseImageVersion").asText()));
        if (o.hasNonNull("baseImageArn")) o.put("baseImageArn", region.render(o.get("baseImageArn").asText()));
        if (o.get("egressNetworkConnectors") instanceof com.fasterxml.jackson.databind.node.ArrayNode a)
            for (int i = 0; i < a.size(); i++) a.set(i, Json.MAPPER.getNodeFactory().textNode(region.render(a.get(i).asText())));
        return o;
    }

    /** The architecture a version was built for: each version has one build, of its cpuConfigurations' architecture. */
    private Arch archOf(ImageRecord image, String version) {
        return ImageArchitecture.of(images.version(image, version));
    }

    private ObjectNode buildView(ImageRecord image, ImageBuildRecord b, Arch arch, boolean full) {
        ObjectNode o = Json.object();
        o.put("imageArn", region.render(image.arn()));
        o.put("imageVersion", Versions.external(b.version()));
        o.put("buildId", b.id());
        o.put("buildState", b.state());
        o.put("architecture", HostInfo.apiName(arch));
        o.put("chipset", HostInfo.chipset(arch));
        o.put("chipsetGeneration", HostInfo.chipsetGeneration(arch));
        o.put("createdAt", Json.epochSeconds(b.createdAt()));
        if (b.stateReason() != null) o.put("stateReason", b.stateReason());
        if (full && b.memoryBytes() != null) {
            ObjectNode s = o.putObject("snapshotBuild");
            s.put("memorySnapshotSizeInBytes", b.memoryBytes());
            s.put("codeInstallSizeInBytes", b.codeBytes());
            s.put("diskSnapshotSizeInBytes", b.diskBytes());
        }
        return o;
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON unreadable", e);
        }
    }

}
