package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.Resources;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A MicroVM size other than the default (docs/images.md, "Sizes"), with a real guest: an image built at
 * {@code minimumMemoryInMiB} 1024 gives its microVMs the size's peak (2 vCPUs, 4096 MiB) and an 8 GiB disk, its VMM's
 * cgroup weighs its 0.5 vCPU baseline, and its usage bills that baseline (0.5 vCPU, 1 GiB a running second).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SizesEndToEndTest {
    static final String DOCKERFILE = """
            FROM debian
            CMD ["sleep", "infinity"]
            """;

    private EmberTestServer server;
    private Path tmp;

    @BeforeAll
    void build() throws Exception {
        server = EmberTestServer.start();
        tmp = Files.createTempDirectory("ember-sizes-e2e");
        var upload = server.client().uploadCodeArtifact(CodeZip.dockerfile(DOCKERFILE).write(tmp));
        var created = server.client().createMicrovmImage(CreateMicrovmImageRequest.of("sized", "debian", upload.codeArtifact())
                .withResources(List.of(new Resources(1024, null))));
        MicrovmImageVersion v = server.client().waitForImageVersion("sized", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        EmberTestServer.deleteTree(tmp);
    }

    @Test
    void aMicrovmOfSize1024SeesItsPeakAndIsBilledItsBaseline() throws Exception {
        long t0 = System.currentTimeMillis();
        try (TestVm vm = TestVm.run(server, "sized")) {
            assertThat(vm.ok("nproc").trim()).as("the size's peak vCPUs").isEqualTo("2");
            long memTotalKib = Long.parseLong(vm.ok("awk '/^MemTotal:/ {print $2}' /proc/meminfo").trim());
            // the kernel keeps a little for itself: MemTotal is a bit under the 4096 MiB the guest was given
            assertThat(memTotalKib).as("MemTotal (KiB)").isBetween(3800L * 1024, 4096L * 1024);
            long rootKib = Long.parseLong(vm.ok("df -k / | awk 'NR == 2 {print $2}'").trim());
            assertThat(rootKib).as("the root file system, grown to the size's 8 GiB").isBetween(7L << 20, 8L << 20);

            String shares = cgroupCpuWeight(vm.id);
            assertThat(shares).as("cpu weight: the 0.5 vCPU baseline (1024 a core on v1, 100 on v2)").isIn("cpu.shares 512", "cpu.weight 50");

            Thread.sleep(2000);
            JsonNode total = Rest.get(server, "/ember/v1/usage?microvmId=" + vm.id).body().path("total");
            long running = total.path("runningSeconds").asLong();
            assertThat(running).as(total.toString()).isBetween(2L, (System.currentTimeMillis() - t0) / 1000 + 1);
            BigDecimal seconds = BigDecimal.valueOf(running);
            assertThat(total.path("vcpuSeconds").decimalValue()).as("0.5 vCPU a second, not its 2: " + total)
                    .isCloseTo(seconds.multiply(new BigDecimal("0.5")), within(new BigDecimal("0.3")));
            assertThat(total.path("memoryGibSeconds").decimalValue()).as("1 GiB a second, not its 4: " + total)
                    .isCloseTo(seconds, within(new BigDecimal("0.6")));
            System.out.println("size 1024: nproc 2, MemTotal " + memTotalKib + " KiB, root " + rootKib + " KiB, cpu.shares "
                    + shares + ", usage " + total);
        }
    }

    /** "cpu.shares N" (v1) or "cpu.weight N" (v2) of the microVM's VMM, found from its process. */
    private String cgroupCpuWeight(String id) throws Exception {
        long jailer = Long.parseLong(Files.readString(server.vmDir(id).resolve("qemu.pid")).strip());
        long qemu = ProcessHandle.of(jailer).orElseThrow().children().findFirst().orElseThrow().pid();
        boolean v2 = Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        for (String line : Files.readAllLines(Path.of("/proc/" + qemu + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (v2 && f[1].isEmpty()) return "cpu.weight " + Files.readString(Path.of("/sys/fs/cgroup" + f[2], "cpu.weight")).strip();
            if (!v2 && List.of(f[1].split(",")).contains("cpu"))
                return "cpu.shares " + Files.readString(Path.of("/sys/fs/cgroup/cpu" + f[2], "cpu.shares")).strip();
        }
        throw new AssertionError("no cpu cgroup for pid " + qemu);
    }
}
