package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.artifact.S3TestServer;
import io.ember.testing.Await;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3:// code artifacts through the API, read from a real S3 server (S3Proxy, started here) by a server with fake machines:
 * the object is read when the build starts and recorded with the build; a missing one fails the build as AWS reports it.
 * The builds end FAILED at their VM step here (no QEMU), after the read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MicrovmImageS3ApiTest {
    private static final String IMAGES = "/2025-09-09/microvm-images";
    private S3TestServer s3;
    private byte[] zip;
    @TempDir
    Path dir;
    private ApiFixture api;

    @BeforeAll
    void startS3() throws Exception {
        s3 = S3TestServer.start(Files.createTempDirectory("s3proxy-"));
        s3.createBucket("code");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("Dockerfile"));
            z.write("FROM busybox\nRUN true\n".getBytes());
        }
        zip = bytes.toByteArray();
        s3.put("code", "apps/app.zip", zip);
    }

    @AfterAll
    void stopS3() {
        if (s3 != null) s3.close();
    }

    @AfterEach
    void stop() {
        if (api != null) api.close();
    }

    private static String create(String name, String uri) {
        return "{\"name\":\"" + name + "\",\"baseImageArn\":\"busybox\",\"buildRoleArn\":\"arn:aws:iam::123456789012:role/build\",\"codeArtifact\":{\"uri\":\"" + uri + "\"}}";
    }

    private JsonNode awaitBuildEnd(String image) {
        Await.until(image + " failed", () -> api.ok("GET", IMAGES + "/" + image, null).path("state").asText().equals("CREATE_FAILED"));
        JsonNode summary = api.ok("GET", IMAGES + "/" + image + "/versions/1/builds", null).path("items").get(0);
        return api.ok("GET", IMAGES + "/" + image + "/versions/1/builds/" + summary.path("buildId").asText(), null);
    }

    @Test
    void theBuildReadsTheObjectWhenItStartsAndRecordsItsETag() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withS3(s3.settings()));
        HttpResponse<String> r = api.send("POST", IMAGES, create("from-s3", "s3://code/apps/app.zip"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(ApiFixture.json(r).path("codeArtifact").path("uri").asText()).isEqualTo("s3://code/apps/app.zip");
        JsonNode build = awaitBuildEnd("from-s3");
        // Read whole, then the (fake) machines refused the VM: the read happened and is on record.
        assertThat(build.path("stateReason").asText()).contains("cannot build images");
        JsonNode source = build.path("codeArtifactSource");
        assertThat(source.path("uri").asText()).isEqualTo("s3://code/apps/app.zip");
        assertThat(source.path("eTag").asText()).isEqualTo(s3.eTag("code", "apps/app.zip"));
        assertThat(source.path("sizeInBytes").asLong()).isEqualTo(zip.length);
        String log = api.send("GET", "/ember/v1/microvm-images/from-s3/versions/1/builds/" + build.path("buildId").asText()
                + "/log?follow=true", null).body();
        assertThat(log).contains("reading the code artifact s3://code/apps/app.zip")
                .contains("code artifact read in").contains(zip.length + " bytes, ETag " + source.path("eTag").asText());
        try (var versions = Files.list(api.dataDir.resolve("images"))) {
            Path code = versions.findFirst().orElseThrow().resolve("1/code.zip");
            assertThat(Files.readAllBytes(code)).isEqualTo(zip);
        }
        // UpdateMicrovmImage takes s3:// as well.
        JsonNode up = api.ok("PUT", IMAGES + "/from-s3", "{\"baseImageArn\":\"busybox\",\"buildRoleArn\":\"arn:aws:iam::123456789012:role/build\",\"codeArtifact\":{\"uri\":\"s3://code/apps/app.zip\"}}");
        assertThat(up.path("imageVersion").asText()).isEqualTo("2.0");
    }

    @Test
    void aMissingObjectFailsTheBuildAsAwsReportsIt() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withS3(s3.settings()));
        assertThat(api.send("POST", IMAGES, create("no-key", "s3://code/apps/missing.zip")).statusCode()).isEqualTo(201);
        assertThat(api.send("POST", IMAGES, create("no-bucket", "s3://no-such-bucket/app.zip")).statusCode()).isEqualTo(201);
        JsonNode key = awaitBuildEnd("no-key");
        assertThat(key.path("buildState").asText()).isEqualTo("FAILED");
        assertThat(key.path("stateReason").asText()).startsWith("S3_NO_SUCH_KEY: s3://code/apps/missing.zip does not exist");
        assertThat(key.has("codeArtifactSource")).isFalse();
        JsonNode image = api.ok("GET", IMAGES + "/no-key", null);
        assertThat(image.path("stateReason").asText()).startsWith("S3_NO_SUCH_KEY: ");
        assertThat(api.ok("GET", IMAGES + "/no-key/versions/1", null).path("state").asText()).isEqualTo("FAILED");
        assertThat(awaitBuildEnd("no-bucket").path("stateReason").asText()).startsWith("S3_NO_SUCH_BUCKET: bucket no-such-bucket");
    }

    @Test
    void anObjectThatIsNoZipOrHasNoDockerfileFailsWithAwsArchiveReasons() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withS3(s3.settings()));
        s3.put("code", "not-a-zip.zip", "just text".getBytes());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("app/Dockerfile"));
            z.write("FROM busybox\n".getBytes());
        }
        s3.put("code", "nested.zip", bytes.toByteArray());
        assertThat(api.send("POST", IMAGES, create("not-zip", "s3://code/not-a-zip.zip")).statusCode()).isEqualTo(201);
        assertThat(api.send("POST", IMAGES, create("nested", "s3://code/nested.zip")).statusCode()).isEqualTo(201);
        assertThat(awaitBuildEnd("not-zip").path("stateReason").asText()).startsWith("ARCHIVE_INVALID: ");
        assertThat(awaitBuildEnd("nested").path("stateReason").asText())
                .isEqualTo("ARCHIVE_DOCKERFILE_NOT_FOUND: the code artifact has no Dockerfile at its root");
    }

    @Test
    void bucketsOutsideTheAllowListAreRefusedWhenAsked() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withS3(s3.settings().withAllowedBuckets(Set.of("allowed"))));
        HttpResponse<String> r = api.send("POST", IMAGES, create("x", "s3://code/apps/app.zip"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(ApiFixture.json(r).path("__type").asText()).isEqualTo("ValidationException");
        assertThat(ApiFixture.json(r).path("message").asText()).contains("bucket code is not one this server reads")
                .contains("--s3-allowed-buckets");
        assertThat(api.ok("GET", IMAGES, null).path("items")).isEmpty();
        assertThat(api.send("POST", IMAGES, create("y", "s3://allowed/app.zip")).statusCode()).isEqualTo(201);
    }

    @Test
    void aStoreThatRefusesTheServersKeysFailsTheBuildWithAccessDenied() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withS3(s3.settings().withCredentials(S3TestServer.ACCESS_KEY, "wrong")));
        assertThat(api.send("POST", IMAGES, create("denied", "s3://code/apps/app.zip")).statusCode()).isEqualTo(201);
        assertThat(awaitBuildEnd("denied").path("stateReason").asText())
                .startsWith("S3_ACCESS_DENIED: the server's credentials may not read s3://code/apps/app.zip");
    }
}
