package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.ImageFixtures;
import io.ember.sdk.Stub;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ImageBuildCommandsTest {
    static final String IMAGES = "/2025-09-09/microvm-images";
    static final String DEMO = IMAGES + "/demo";

    @TempDir Path tmp;
    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void create_uploadsTheZip_streamsTheLogWithProgress_andPrintsTheImage() throws Exception {
        Path zip = zip("FROM debian\nRUN echo hi\nCMD [\"sleep\", \"1000\"]\n");
        AtomicReference<byte[]> uploaded = new AtomicReference<>();
        stub.on("POST", "/ember/v1/uploads", ex -> {
            uploaded.set(Stub.body(ex));
            Stub.send(ex, 201, "application/json", "{\"uploadId\":\"upl-1\",\"uri\":\"ember-upload://upl-1\",\"sizeInBytes\":"
                    + Files.size(zip) + "}");
        });
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1"));
        buildOf("1", "SUCCESSFUL", null);
        ByteArrayOutputStream liveErr = new ByteArrayOutputStream();
        stub.on("GET", "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log", ex -> {
            OutputStream out = Stub.startText(ex);
            Stub.text(out, "[    0.0s] build bld-1 of demo version 1\n[    0.1s] Step 1/3 : FROM debian\n");
            // The rest comes only once the CLI has shown the first step: the display is live, not replayed at the end.
            waitFor(liveErr, "Step 1/3 : FROM debian");
            Stub.text(out, "[    0.2s] Step 2/3 : RUN echo hi\nhi\n[    0.3s] Step 3/3 : CMD [\"sleep\", \"1000\"]\n"
                    + "[    0.4s] BUILD SUCCESSFUL\n");
        });

        Cli r = Cli.run(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(), liveErr, Map.of(),
                "create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", zip.toString(), "--environment-variables", "A=1,B=two words",
                "--resources", "minimumMemoryInMiB=512,vcpus=2", "--description", "demo app", "--client-token", "tok",
                "--cpu-configurations", "ARM_64");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(uploaded.get()).isEqualTo(Files.readAllBytes(zip));
        JsonNode sent = Output.MAPPER.readTree(stub.bodyOf("POST", IMAGES));
        assertThat(sent.toString()).isEqualTo("{\"name\":\"demo\",\"baseImageArn\":\"debian\",\"buildRoleArn\":\"arn:aws:iam::000000000000:role/ember-build\",\"description\":\"demo app\","
                + "\"codeArtifact\":{\"uri\":\"ember-upload://upl-1\"},\"environmentVariables\":{\"A\":\"1\",\"B\":\"two words\"},"
                + "\"resources\":[{\"minimumMemoryInMiB\":512,\"vcpus\":2}],\"clientToken\":\"tok\","
                + "\"cpuConfigurations\":[{\"architecture\":\"ARM_64\"}]}");
        JsonNode image = Output.MAPPER.readTree(r.out);
        assertThat(image.get("state").asText()).isEqualTo("CREATED");
        assertThat(image.get("createdAt").asText()).isEqualTo("2026-01-01T00:00:00.500Z");
        assertThat(r.err).containsPattern("==> \\d+\\.\\ds  uploading app\\.zip \\(\\d+ bytes\\)\n")
                .contains("  uploaded as ember-upload://upl-1\n")
                .contains("  image demo version 1: CREATING\n")
                .contains("[    0.0s] build bld-1 of demo version 1\n")
                .containsPattern("==> \\d+\\.\\ds  Step 2/3 : RUN echo hi\nhi\n==> \\d+\\.\\ds  Step 3/3 : CMD")
                .containsPattern("==> \\d+\\.\\ds  image demo version 1: SUCCESSFUL after \\d+\\.\\ds \\(3 steps\\)\n");
        assertThat(r.err).doesNotContain("[    0.1s] Step 1/3");
        assertThat(stub.seen.stream().filter(s -> s.rawPath().endsWith("/log")).map(Stub.Seen::rawQuery))
                .containsExactly("offset=0&follow=true");
    }

    @Test
    void create_failedBuild_exits1_withTheReason_andStillPrintsTheImage() {
        stub.json("POST", IMAGES, 201, ImageFixtures.started("1"));
        buildOf("1", "FAILED", "line 2: RUN false exited with code 1");
        stub.on("GET", "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log", ex -> Stub.send(ex, 200, "text/plain",
                "[    0.1s] Step 1/2 : FROM debian\n[    0.2s] Step 2/2 : RUN false\n[    0.3s] BUILD FAILED: line 2\n"));
        stub.json("GET", DEMO, 200, ImageFixtures.image("CREATE_FAILED"));

        Cli r = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "file:///srv/app.zip");

        assertThat(r.exit).as(r.toString()).isEqualTo(ImageBuildCommands.BUILD_FAILED).isEqualTo(1);
        assertThat(r.err).containsPattern("image demo version 1: FAILED after \\d+\\.\\ds \\(2 steps\\)\n")
                .endsWith("Build failed: line 2: RUN false exited with code 1\n");
        assertThat(r.out).contains("\"state\": \"CREATE_FAILED\"");
        assertThat(stub.seen).noneMatch(s -> s.rawPath().equals("/ember/v1/uploads"));
    }

    @Test
    void create_noWait_printsTheCreateAnswer() throws Exception {
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1"));
        Cli r = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn",
                "arn:aws:lambda:us-east-1:aws:microvm-image:debian", "--base-image-version", "1", "--build-role-arn", "arn:role",
                "--code-artifact", "ember-upload://upl-9", "--environment-variables", "{\"A\":\"1\"}",
                "--resources", "[{\"minimumMemoryInMiB\":256}]", "--no-wait",
                "--hooks", "{\"port\":9000,\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":5}}");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(Output.MAPPER.readTree(r.out).get("imageVersion").asText()).isEqualTo("1");
        assertThat(Output.MAPPER.readTree(r.out).get("state").asText()).isEqualTo("CREATING");
        JsonNode sent = Output.MAPPER.readTree(stub.bodyOf("POST", IMAGES));
        assertThat(sent.get("baseImageVersion").asText()).isEqualTo("1");
        assertThat(sent.get("buildRoleArn").asText()).isEqualTo("arn:role");
        assertThat(sent.get("codeArtifact").get("uri").asText()).isEqualTo("ember-upload://upl-9");
        assertThat(sent.get("resources").toString()).isEqualTo("[{\"minimumMemoryInMiB\":256}]");
        assertThat(sent.get("clientToken").asText()).hasSize(36);
        assertThat(sent.get("hooks").toString()).isEqualTo("{\"port\":9000,\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":5}}");
        assertThat(stub.seen).hasSize(1);

        Cli bad = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "ember-upload://upl-9", "--no-wait", "--hooks", "{\"microvmHooks\":{\"run\":\"YES\"}}");
        assertThat(bad.exit).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err).contains("Invalid value for --hooks");
        assertThat(stub.seen).hasSize(1);
    }

    @Test
    void create_takesS3UrisBareOrInTheAwsClisForms() throws Exception {
        stub.capture("POST", IMAGES, 201, ImageFixtures.started("1"));
        String[] forms = {"s3://my-bucket/apps/app.zip", "uri=s3://my-bucket/apps/app.zip", "{\"uri\":\"s3://my-bucket/apps/app.zip\"}"};
        for (String form : forms) {
            Cli r = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                    "--code-artifact", form, "--no-wait");
            assertThat(r.exit).as(form + ": " + r).isZero();
            JsonNode sent = Output.MAPPER.readTree(stub.bodyOf("POST", IMAGES));
            assertThat(sent.get("codeArtifact").toString()).as(form).isEqualTo("{\"uri\":\"s3://my-bucket/apps/app.zip\"}");
        }
        assertThat(stub.seen).noneMatch(s -> s.rawPath().equals("/ember/v1/uploads"));
        Cli bad = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "{\"url\":\"s3://b/k\"}", "--no-wait");
        assertThat(bad.exit).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err).contains("--code-artifact");
    }

    @Test
    void update_buildsANewVersion_andFollowsIt() throws Exception {
        Path zip = zip("FROM demo\nRUN true\n");
        stub.json("POST", "/ember/v1/uploads", 201, "{\"uploadId\":\"upl-2\",\"uri\":\"ember-upload://upl-2\",\"sizeInBytes\":1}");
        stub.capture("PUT", DEMO, 200, ImageFixtures.started("2"));
        buildOf("2", "SUCCESSFUL", null);
        stub.on("GET", "/ember/v1/microvm-images/demo/versions/2/builds/bld-1/log", ex -> Stub.send(ex, 200, "text/plain",
                "[    0.1s] Step 1/2 : FROM demo\n[    0.2s] Step 2/2 : RUN true\n"));

        Cli r = Cli.run("update-microvm-image", "--endpoint-url", stub.url(), "--image-identifier", "demo",
                "--base-image-arn", "demo", "--code-artifact", zip.toString());

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(Output.MAPPER.readTree(stub.bodyOf("PUT", DEMO)).get("codeArtifact").get("uri").asText()).isEqualTo("ember-upload://upl-2");
        assertThat(Output.MAPPER.readTree(stub.bodyOf("PUT", DEMO)).has("name")).isFalse();
        assertThat(r.err).contains("image demo version 2: UPDATING").contains("version 2: SUCCESSFUL");
        assertThat(Output.MAPPER.readTree(r.out).get("name").asText()).isEqualTo("demo");
    }

    @Test
    void create_waitTimeout_exits255_andSaysTheBuildGoesOn() {
        stub.json("POST", IMAGES, 201, ImageFixtures.started("1"));
        stub.json("GET", DEMO + "/versions/1/builds", 200, "{\"items\":[]}");
        stub.json("GET", DEMO + "/versions/1", 200, ImageFixtures.version("1", "PENDING", null));

        Cli r = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "file:///srv/app.zip", "--wait-timeout", "1");

        assertThat(r.exit).as(r.toString()).isEqualTo(255);
        assertThat(r.err).contains("gave up after 1s (--wait-timeout); the build goes on on the server");
        assertThat(r.out).isEmpty();
    }

    @Test
    void create_badArguments_areUsageErrors() {
        Cli missing = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", tmp.resolve("nope.zip").toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("--code-artifact: no such file");

        Cli env = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "file:///a.zip", "--environment-variables", "{\"A\":1}");
        assertThat(env.exit).isEqualTo(2);
        assertThat(env.err).contains("Invalid value for --environment-variables: the value of A must be a string");

        Cli res = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "file:///a.zip", "--resources", "cpus=2");
        assertThat(res.exit).isEqualTo(2);
        assertThat(res.err).contains("Invalid value for --resources: Unrecognized field \"cpus\"");

        assertThat(Cli.run("create-microvm-image", "--name", "demo").err).contains("--base-image-arn").contains("--code-artifact");
        assertThat(stub.seen).isEmpty();
    }

    @Test
    void create_serviceError_exits254() {
        stub.on("POST", IMAGES, ex -> Stub.error(ex, 409, "ConflictException", "image demo exists"));
        Cli r = Cli.run("create-microvm-image", "--endpoint-url", stub.url(), "--name", "demo", "--base-image-arn", "debian",
                "--code-artifact", "file:///a.zip");
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).isEqualTo("An error occurred (ConflictException): image demo exists\n");
    }

    /** Builds list, build, version and image answers for a version whose build bld-1 ends in {@code state}. */
    private void buildOf(String version, String state, String reason) {
        String v = DEMO + "/versions/" + version;
        stub.json("GET", v + "/builds", 200, "{\"items\":[" + ImageFixtures.build(version, "bld-1", "IN_PROGRESS") + "]}");
        stub.json("GET", v + "/builds/bld-1", 200, ImageFixtures.build(version, "bld-1", state));
        stub.json("GET", v, 200, ImageFixtures.version(version, state, reason));
        stub.json("GET", DEMO, 200, ImageFixtures.image("1".equals(version) ? "CREATED" : "UPDATED"));
    }

    private Path zip(String dockerfile) throws Exception {
        Path zip = tmp.resolve("app.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("Dockerfile"));
            z.write(dockerfile.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return zip;
    }

    private static void waitFor(ByteArrayOutputStream live, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!live.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("never shown: " + text);
            Thread.sleep(10);
        }
    }
}
