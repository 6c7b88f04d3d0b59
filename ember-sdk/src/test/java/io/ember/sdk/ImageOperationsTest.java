package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImageOperationsTest {
    static final String IMAGES = "/2025-09-09/microvm-images";
    static final String DEMO = IMAGES + "/demo";

    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();

    @Test
    void createMicrovmImage_postsTheModelsFields_andReads201() throws Exception {
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1"));

        CreateMicrovmImageResponse r = client.createMicrovmImage(CreateMicrovmImageRequest.of("demo", "debian",
                        CodeArtifact.of("ember-upload://upl-1")).withDescription("d").withBaseImageVersion("1")
                .withEnvironmentVariables(Map.of("A", "1")).withResources(List.of(new Resources(512, 2)))
                .withBuildRoleArn("arn:role").withTags(Map.of("team", "a")));

        JsonNode sent = Json.MAPPER.readTree(stub.bodyOf("POST", IMAGES));
        assertThat(stub.last().header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.get("name").asText()).isEqualTo("demo");
        assertThat(sent.get("baseImageArn").asText()).isEqualTo("debian");
        assertThat(sent.get("baseImageVersion").asText()).isEqualTo("1");
        assertThat(sent.get("buildRoleArn").asText()).isEqualTo("arn:role");
        assertThat(sent.get("codeArtifact").toString()).isEqualTo("{\"uri\":\"ember-upload://upl-1\"}");
        assertThat(sent.get("environmentVariables").toString()).isEqualTo("{\"A\":\"1\"}");
        assertThat(sent.get("resources").toString()).isEqualTo("[{\"minimumMemoryInMiB\":512,\"vcpus\":2}]");
        assertThat(sent.get("tags").toString()).isEqualTo("{\"team\":\"a\"}");
        assertThat(sent.get("clientToken").asText()).as("filled like the AWS SDKs do").hasSize(36);
        assertThat(sent.has("egressNetworkConnectors")).isFalse();
        assertThat(r.imageVersion()).isEqualTo("1");
        assertThat(r.state()).isEqualTo(MicrovmImageState.CREATING);
        assertThat(r.resources()).containsExactly(new Resources(512, 2));
        assertThat(r.codeArtifact().uri()).isEqualTo("ember-upload://upl-0123456789abcdef01234567");
    }

    @Test
    void s3CodeArtifacts_areSentAsAwsWritesThem() throws Exception {
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1"));
        client.createMicrovmImage(CreateMicrovmImageRequest.of("demo", "debian", CodeArtifact.s3("my-bucket", "apps/v1/app.zip")));
        assertThat(Json.MAPPER.readTree(stub.bodyOf("POST", IMAGES)).get("codeArtifact").toString())
                .isEqualTo("{\"uri\":\"s3://my-bucket/apps/v1/app.zip\"}");
        assertThat(CodeArtifact.s3("b", "k").uri()).isEqualTo("s3://b/k");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CodeArtifact.s3("b/c", "k")).hasMessageContaining("bucket");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CodeArtifact.s3("b", "")).hasMessageContaining("key");
    }

    @Test
    void hooks_areSentAsTheModelNamesThem_andReadBackFromVersions() throws Exception {
        String hooksJson = "{\"port\":9000,\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":5,"
                + "\"suspend\":\"ENABLED\",\"suspendTimeoutInSeconds\":5,\"resume\":\"ENABLED\",\"resumeTimeoutInSeconds\":5,"
                + "\"terminate\":\"DISABLED\",\"terminateTimeoutInSeconds\":5},"
                + "\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"readyTimeoutInSeconds\":30}}";
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1").replace("\"createdAt\"", "\"hooks\":" + hooksJson + ",\"createdAt\""));
        stub.capture("PUT", DEMO, 200, ImageFixtures.started("2"));
        stub.json("GET", DEMO + "/versions/1", 200, ImageFixtures.version("1", "SUCCESSFUL", null)
                .replace("\"createdAt\"", "\"hooks\":{\"microvmHooks\":{\"run\":\"SOMEDAY\"}},\"createdAt\""));
        Hooks hooks = new Hooks(9000, MicrovmHooks.allEnabled(5).withTerminate(HookState.DISABLED, 5),
                new MicrovmImageHooks(HookState.ENABLED, 30, null, null));

        CreateMicrovmImageResponse created = client.createMicrovmImage(CreateMicrovmImageRequest.of("demo", "debian",
                CodeArtifact.of("ember-upload://upl-1")).withHooks(hooks));
        client.updateMicrovmImage(UpdateMicrovmImageRequest.of("demo", "debian", CodeArtifact.of("ember-upload://upl-1"))
                .withHooks(Hooks.of(new MicrovmHooks(HookState.ENABLED, null, null, null, null, null, null, null))));

        assertThat(Json.MAPPER.readTree(stub.bodyOf("POST", IMAGES)).get("hooks")).isEqualTo(Json.MAPPER.readTree(hooksJson));
        assertThat(Json.MAPPER.readTree(stub.bodyOf("PUT", DEMO)).get("hooks").toString())
                .isEqualTo("{\"microvmHooks\":{\"run\":\"ENABLED\"}}");
        assertThat(created.hooks()).isEqualTo(hooks);
        assertThat(client.getMicrovmImageVersion("demo", "1").hooks().microvmHooks().run())
                .as("a state this SDK does not know").isEqualTo(HookState.UNKNOWN);
    }

    @Test
    void getMicrovmImage_byNameOrArn() {
        stub.json("GET", DEMO, 200, ImageFixtures.image("CREATED"));
        stub.json("GET", IMAGES + "/" + ImageFixtures.ARN_SEGMENT, 200, ImageFixtures.image("UPDATE_FAILED"));

        MicrovmImage byName = client.getMicrovmImage("demo");
        MicrovmImage byArn = client.getMicrovmImage(ImageFixtures.ARN);

        assertThat(byName.state()).isEqualTo(MicrovmImageState.CREATED);
        assertThat(byName.createdAt()).isEqualTo(Instant.ofEpochSecond(1767225600L, 500_000_000));
        assertThat(byName.tags()).containsEntry("team", "a");
        assertThat(byName.latestActiveImageVersion()).isEqualTo("1");
        assertThat(byArn.state()).isEqualTo(MicrovmImageState.UPDATE_FAILED);
    }

    @Test
    void listAllMicrovmImages_followsTokens_withNameFilter() {
        stub.on("GET", IMAGES, ex -> {
            String token = Stub.query(ex, "nextToken");
            String page = token == null
                    ? "{\"items\":[" + ImageFixtures.image("CREATED") + "],\"nextToken\":\"n%2F1\"}"
                    : "{\"items\":[" + ImageFixtures.image("CREATING").replace("\"demo\"", "\"demo2\"") + "]}";
            Stub.send(ex, 200, "application/json", page);
        });

        List<String> names = client.listAllMicrovmImages(ListMicrovmImagesRequest.all().withNameFilter("de mo").withMaxResults(1))
                .map(MicrovmImage::name).toList();

        assertThat(names).containsExactly("demo", "demo2");
        assertThat(stub.seen.get(0).rawQuery()).isEqualTo("maxResults=1&nameFilter=de%20mo");
        assertThat(stub.seen.get(1).rawQuery()).isEqualTo("maxResults=1&nextToken=n%252F1&nameFilter=de%20mo");
    }

    @Test
    void updateMicrovmImage_putsToTheImage_withoutTheIdentifierInTheBody() throws Exception {
        stub.capture("PUT", DEMO, 200, ImageFixtures.started("2"));

        UpdateMicrovmImageResponse r = client.updateMicrovmImage(UpdateMicrovmImageRequest.of("demo", "debian",
                CodeArtifact.of("file:///srv/app.zip")).withClientToken("tok"));

        assertThat(Json.MAPPER.readTree(stub.bodyOf("PUT", DEMO)).toString()).isEqualTo(
                "{\"baseImageArn\":\"debian\",\"buildRoleArn\":\"arn:aws:iam::000000000000:role/ember-build\",\"codeArtifact\":{\"uri\":\"file:///srv/app.zip\"},\"clientToken\":\"tok\"}");
        assertThat(r.imageVersion()).isEqualTo("2");
        assertThat(r.state()).isEqualTo(MicrovmImageState.UPDATING);
    }

    @Test
    void deleteMicrovmImage_andVersion() {
        stub.json("DELETE", DEMO, 200, "{\"imageIdentifier\":\"demo\",\"state\":\"DELETED\"}");
        stub.json("DELETE", DEMO + "/versions/2", 200, "{\"imageIdentifier\":\"demo\",\"imageVersion\":\"2\",\"state\":\"DELETED\"}");

        assertThat(client.deleteMicrovmImageVersion("demo", "2").state()).isEqualTo(MicrovmImageVersionState.DELETED);
        assertThat(client.deleteMicrovmImage("demo")).isEqualTo(new DeleteMicrovmImageResponse("demo", MicrovmImageState.DELETED));
        assertThat(stub.seen).extracting(Stub.Seen::method).containsExactly("DELETE", "DELETE");
    }

    @Test
    void versions_getListAndPatchStatus() throws Exception {
        stub.json("GET", DEMO + "/versions/1", 200, ImageFixtures.version("1", "FAILED", "line 3: unsupported VOLUME"));
        stub.on("GET", DEMO + "/versions", ex -> Stub.send(ex, 200, "application/json", Stub.query(ex, "nextToken") == null
                ? "{\"items\":[" + ImageFixtures.version("1", "SUCCESSFUL", null) + "],\"nextToken\":\"2\"}"
                : "{\"items\":[" + ImageFixtures.version("2", "IN_PROGRESS", null) + "]}"));
        stub.capture("PATCH", DEMO + "/versions/1", 200, ImageFixtures.version("1", "SUCCESSFUL", null).replace("ACTIVE", "INACTIVE"));

        MicrovmImageVersion v = client.getMicrovmImageVersion("demo", "1");
        assertThat(v.state()).isEqualTo(MicrovmImageVersionState.FAILED);
        assertThat(v.stateReason()).isEqualTo("line 3: unsupported VOLUME");
        assertThat(v.codeArtifact().uri()).startsWith("ember-upload://");
        assertThat(v.resources()).containsExactly(new Resources(512, null));

        assertThat(client.listMicrovmImageVersions("demo", 1, null).nextToken()).isEqualTo("2");
        assertThat(stub.last().rawQuery()).isEqualTo("maxResults=1");
        assertThat(client.listAllMicrovmImageVersions("demo").map(MicrovmImageVersion::imageVersion)).containsExactly("1", "2");

        MicrovmImageVersion patched = client.updateMicrovmImageVersion("demo", "1", MicrovmImageVersionStatus.INACTIVE);
        assertThat(stub.last().method()).isEqualTo("PATCH");
        assertThat(stub.bodyOf("PATCH", DEMO + "/versions/1")).isEqualTo("{\"status\":\"INACTIVE\"}");
        assertThat(patched.status()).isEqualTo(MicrovmImageVersionStatus.INACTIVE);
    }

    @Test
    void builds_listAndGet() {
        stub.on("GET", DEMO + "/versions/1/builds", ex -> Stub.send(ex, 200, "application/json", Stub.query(ex, "nextToken") == null
                ? "{\"items\":[" + ImageFixtures.build("1", "bld-a", "FAILED") + "],\"nextToken\":\"x\"}"
                : "{\"items\":[" + ImageFixtures.build("1", "bld-b", "IN_PROGRESS") + "]}"));
        stub.json("GET", DEMO + "/versions/1/builds/bld-b", 200, ImageFixtures.build("1", "bld-b", "SUCCESSFUL"));

        assertThat(client.listAllMicrovmImageBuilds("demo", "1").map(MicrovmImageBuild::buildId)).containsExactly("bld-a", "bld-b");
        ListMicrovmImageBuildsResponse page = client.listMicrovmImageBuilds("demo", "1", 5, "x");
        assertThat(stub.last().rawQuery()).isEqualTo("maxResults=5&nextToken=x");
        assertThat(page.items().get(0).buildState()).isEqualTo(BuildState.IN_PROGRESS);

        MicrovmImageBuild b = client.getMicrovmImageBuild("demo", "1", "bld-b");
        assertThat(b.buildState()).isEqualTo(BuildState.SUCCESSFUL);
        assertThat(b.snapshotBuild()).isEqualTo(new SnapshotBuild(134217728L, 2048L, 5000000000L));
        assertThat(b.architecture()).isEqualTo("X86_64");
    }

    @Test
    void waitForImageVersion_pollsUntilFinal_andReturnsFailuresToo() {
        int[] calls = {0};
        stub.on("GET", DEMO + "/versions/3", ex -> Stub.send(ex, 200, "application/json", switch (++calls[0]) {
            case 1 -> ImageFixtures.version("3", "PENDING", null);
            case 2 -> ImageFixtures.version("3", "IN_PROGRESS", null);
            default -> ImageFixtures.version("3", "FAILED", "line 2: RUN false exited with code 1");
        }));

        MicrovmImageVersion v = client.waitForImageVersion("demo", "3", Duration.ofSeconds(30));

        assertThat(calls[0]).isEqualTo(3);
        assertThat(v.state()).isEqualTo(MicrovmImageVersionState.FAILED);
        assertThat(v.stateReason()).contains("RUN false");
    }

    @Test
    void waitForImageVersion_timesOutTyped() {
        stub.json("GET", DEMO + "/versions/1", 200, ImageFixtures.version("1", "IN_PROGRESS", null));
        WaiterTimeoutException e = catchThrowableOfType(WaiterTimeoutException.class,
                () -> client.waitForImageVersion("demo", "1", Duration.ZERO));
        assertThat(e.errorType()).isEqualTo("WaiterTimeout");
        assertThat(e).hasMessageContaining("still IN_PROGRESS");
    }

    @Test
    void imageErrors_areTyped() {
        stub.on("GET", IMAGES + "/nope", ex -> {
            ex.getResponseHeaders().set("X-Amzn-ErrorType", "ResourceNotFoundException");
            Stub.send(ex, 404, "application/json", "{\"__type\":\"ResourceNotFoundException\",\"message\":\"image nope not found\","
                    + "\"resourceType\":\"MicrovmImage\",\"resourceId\":\"nope\"}");
        });
        stub.on("DELETE", DEMO, ex -> Stub.error(ex, 409, "ConflictException", "a microVM runs image demo"));
        stub.on("POST", IMAGES, ex -> Stub.error(ex, 400, "ValidationException", "name must match [A-Za-z0-9._-]{1,64}"));
        stub.on("PATCH", DEMO + "/versions/9", ex -> Stub.error(ex, 404, "ResourceNotFoundException", "no version 9"));

        ResourceNotFoundException nf = catchThrowableOfType(ResourceNotFoundException.class, () -> client.getMicrovmImage("nope"));
        assertThat(nf.resourceType()).isEqualTo("MicrovmImage");
        assertThat(nf.resourceId()).isEqualTo("nope");
        assertThat(catchThrowableOfType(ConflictException.class, () -> client.deleteMicrovmImage("demo")))
                .hasMessage("a microVM runs image demo");
        assertThat(catchThrowableOfType(ValidationException.class, () -> client.createMicrovmImage(
                CreateMicrovmImageRequest.of("bad name", "debian", CodeArtifact.of("file:///x.zip"))))).isNotNull();
        assertThat(catchThrowableOfType(ResourceNotFoundException.class,
                () -> client.updateMicrovmImageVersion("demo", "9", MicrovmImageVersionStatus.ACTIVE))).isNotNull();
    }
}
