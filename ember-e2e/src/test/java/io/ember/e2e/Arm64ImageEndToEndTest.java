package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmImageBuild;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An image with {@code cpuConfigurations: [{architecture: ARM_64}]} (AWS's one architecture) built on the arm64
 * busybox base and launched from its snapshot: real qemu-system-aarch64 guests (TCG on an x86-64 host). Needs the
 * arm64 assets ({@code bin/ember setup --arch arm64}; bin/test builds them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Arm64ImageEndToEndTest {
    static final String DOCKERFILE = """
            FROM busybox
            RUN uname -m > /built-on
            CMD ["sleep", "3600"]
            """;

    private EmberTestServer server;
    private Path tmp;

    @BeforeAll
    void start() throws Exception {
        Path arm = EmberTestServer.assetsDir().resolve("arm64");
        assertThat(arm.resolve("kernel/Image")).as("arm64 assets: run `bin/ember setup --arch arm64`").isRegularFile();
        server = EmberTestServer.start();
        tmp = Files.createTempDirectory("ember-arm64-e2e");
        EmberClient client = server.client();
        var upload = client.uploadCodeArtifact(CodeZip.dockerfile(DOCKERFILE).write(tmp));
        // As an AWS client sends it (the SDK's withCpuConfigurations sends the same JSON)
        var created = Rest.postJson(server, "/2025-09-09/microvm-images", "{\"name\":\"arm-app\",\"baseImageArn\":\"busybox\",\"buildRoleArn\":\"arn:aws:iam::123456789012:role/build\","
                + "\"codeArtifact\":{\"uri\":\"" + upload.uri() + "\"},\"cpuConfigurations\":[{\"architecture\":\"ARM_64\"}]}", Map.of());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().path("cpuConfigurations").get(0).path("architecture").asText()).isEqualTo("ARM_64");
        MicrovmImageVersion v = client.waitForImageVersion("arm-app", "1", Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
        if (tmp != null) EmberTestServer.deleteTree(tmp);
    }

    @Test
    void anArm64Image_isBuiltAndListedAsArm64_andLaunchesArm64MicrovmsThatSuspendAndResume() throws Exception {
        EmberClient client = server.client();
        List<MicrovmImageBuild> builds = client.listAllMicrovmImageBuilds("arm-app", "1").toList();
        assertThat(builds).hasSize(1);
        assertThat(builds.getFirst().architecture()).isEqualTo("ARM_64");
        assertThat(builds.getFirst().chipset()).isEqualTo("GRAVITON");
        assertThat(Rest.get(server, "/2025-09-09/microvm-images/arm-app/versions/1/builds?architecture=X86_64").body()
                .path("items")).isEmpty();
        assertThat(Rest.get(server, "/2025-09-09/microvm-images/arm-app/versions/1/builds?architecture=ARM_64").body()
                .path("items")).hasSize(1);

        try (TestVm vm = TestVm.run(server, "arm-app")) {
            assertThat(vm.ok("uname -m")).isEqualTo("aarch64\n");
            assertThat(vm.ok("cat /built-on")).as("the Dockerfile's RUN ran in an arm64 build VM").isEqualTo("aarch64\n");
            assertThat(vm.ok("pidof sleep")).as("the image's CMD, running since the snapshot").isNotBlank();
            String pid = vm.ok("pidof sleep").strip();
            client.suspendMicrovm(vm.id);
            assertThat(client.getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            assertThat(vm.ok("uname -m; pidof sleep")).as("woken: the same arm64 machine")
                    .isEqualTo("aarch64\n" + pid + "\n");
        }
    }
}
