package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.CodeArtifact;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Images built from a code zip in S3 (docs/images.md, "Code artifacts in S3"): a real S3 server (S3Proxy on loopback,
 * started here), a real Ember server reading from it, real QEMU builds and a microVM of the result; through the SDK, the
 * CLI and the official AWS client. The object is read once, when the build starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ImageEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private S3Store s3;
    private EmberTestServer server;
    private Path tmp;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("ember-s3-e2e");
        s3 = S3Store.start(tmp.resolve("s3proxy"));
        s3.createBucket("apps");
        server = EmberTestServer.withS3(s3.settings());
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
        if (s3 != null) s3.close();
        EmberTestServer.deleteTree(tmp);
    }

    @Test
    void shouldBuildFromAnS3ZipAndRunAMicrovmOfIt() throws Exception {
        Path zip = CodeZip.dockerfile("FROM busybox\nCOPY hello.txt /srv/\nRUN cat /srv/hello.txt > /srv/copied\nCMD [\"sleep\", \"3600\"]\n")
                .file("hello.txt", "hello from s3\n").write(tmp);
        s3.put("apps", "hello/app.zip", Files.readAllBytes(zip));
        String eTag = s3.eTag("apps", "hello/app.zip");

        var created = server.client().createMicrovmImage(CreateMicrovmImageRequest.of("from-s3", "busybox",
                CodeArtifact.s3("apps", "hello/app.zip")));
        MicrovmImageVersion v = server.client().waitForImageVersion("from-s3", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
        assertThat(v.codeArtifact().uri()).isEqualTo("s3://apps/hello/app.zip");
        // Replaced after the build: the image keeps what its build read.
        s3.put("apps", "hello/app.zip", Files.readAllBytes(CodeZip.dockerfile("FROM busybox\n").write(tmp)));

        JsonNode builds = Rest.get(server, "/2025-09-09/microvm-images/from-s3/versions/1/builds").body();
        JsonNode build = Rest.get(server, "/2025-09-09/microvm-images/from-s3/versions/1/builds/"
                + builds.path("items").get(0).path("buildId").asText()).body();
        assertThat(build.path("codeArtifactSource").path("eTag").asText()).isEqualTo(eTag);
        assertThat(build.path("codeArtifactSource").path("sizeInBytes").asLong()).isEqualTo(Files.size(zip));

        try (TestVm vm = TestVm.run(server, "from-s3")) {
            assertThat(vm.ok("cat /srv/copied")).isEqualTo("hello from s3\n");
        }
    }

    @Test
    void shouldBuildFromS3WithTheOfficialClient() throws Exception {
        Path zip = CodeZip.dockerfile("FROM busybox\nCOPY app.sh /app/\nCMD [\"/bin/sh\", \"/app/app.sh\"]\n")
                .file("app.sh", "while true; do sleep 1; done\n").write(tmp);
        s3.put("apps", "official/app.zip", Files.readAllBytes(zip));
        OfficialClientEndToEndTest.node(server, "official-s3.mjs", "OFFICIAL-S3 OK",
                java.util.Map.of("EMBER_CODE_URI", "s3://apps/official/app.zip", "EMBER_MISSING_URI", "s3://apps/official/none.zip"));
    }

    /**
     * The acceptance: the official JS client given what AWS's docs say (an s3:// code artifact, ARM_64, ARNs
     * of another region, versions as major.minor) builds an arm64 image and runs it; the guest is arm64.
     */
    @Test
    void theOfficialClientBuildsAndRunsAnArm64ImageFromS3ByArnsOfAnotherRegion() throws Exception {
        Path zip = CodeZip.dockerfile("FROM busybox\nCOPY app.sh /app/\nCMD [\"/bin/sh\", \"/app/app.sh\"]\n")
                .file("app.sh", "while true; do sleep 1; done\n").write(tmp);
        s3.put("apps", "microvm-images/my-first-image/code-artifact.zip", Files.readAllBytes(zip));
        String out = OfficialClientEndToEndTest.node(server, "official-aws-docs.mjs", "OFFICIAL-AWS-DOCS OK",
                java.util.Map.of("EMBER_CODE_URI", "s3://apps/microvm-images/my-first-image/code-artifact.zip"));
        String id = out.replaceAll("(?s).*OFFICIAL-AWS-DOCS OK (mvm-[0-9a-f]+).*", "$1");
        try {
            assertThat(server.client().execAndWait(id, io.ember.sdk.ExecRequest.shell("uname -m")).stdoutText()).isEqualTo("aarch64\n");
        } finally {
            server.client().terminateMicrovm(id);
        }
    }

    @Test
    void shouldFailTheBuildOfAMissingObjectAsAwsReportsIt() throws Exception {
        var r = server.cli("create-microvm-image", "--name", "missing-s3", "--base-image-arn", "busybox",
                "--code-artifact", "uri=s3://apps/no/such.zip");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).contains("Build failed: S3_NO_SUCH_KEY: s3://apps/no/such.zip does not exist");
        var image = JSON.readTree(server.cli("get-microvm-image", "--image-identifier", "missing-s3").stdout());
        assertThat(image.path("state").asText()).isEqualTo("CREATE_FAILED");
        assertThat(image.path("stateReason").asText()).startsWith("S3_NO_SUCH_KEY: ");
    }
}
