package io.ember.e2e;

import io.ember.agent.AgentClient;
import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.vmm.QemuConfig;
import io.ember.vmm.QemuDriver;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real guest whose PID 1 is not our agent but a hostile program on the agent port: it sends
 * garbage, a frame claiming a huge length, or nothing at all. The host side must give up quickly
 * with a reason, never allocate what the guest claims, and leave the machine stoppable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileGuestEndToEndTest {

    private static final String HOSTILE = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev
            /bin/busybox mount -t proc proc /proc 2>/dev/null
            /bin/busybox mount -t sysfs sysfs /sys 2>/dev/null
            /bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
            port=
            for p in /sys/class/virtio-ports/*; do
              [ "$(/bin/busybox cat $p/name)" = ember.agent ] && port=/dev/${p##*/}
            done
            mode=$(/bin/busybox sed -n 's/.*ember.hostile=\\([a-z]*\\).*/\\1/p' /proc/cmdline)
            echo "hostile guest: mode $mode on $port" > /dev/console
            case "$mode" in
              garbage) while true; do /bin/busybox head -c 65536 /dev/urandom; done > "$port" ;;
              huge)    while true; do printf '\\377\\377\\377\\360\\000\\000\\000\\000\\201\\000\\000\\000'; /bin/busybox sleep 1; done > "$port" ;;
              silent)  exec 3<>"$port"; while true; do /bin/busybox sleep 3600; done ;;
            esac
            """;

    private Path dir;
    private Path disk;
    private QemuDriver driver;

    @BeforeAll
    void buildHostileDisk() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ember-hostile-");
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("bin"));
        for (String d : List.of("proc", "sys", "dev", "tmp", ".ember", "workspace")) Files.createDirectories(root.resolve(d));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        Path script = root.resolve("hostile");
        Files.writeString(script, HOSTILE);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        disk = dir.resolve("hostile.ext4");
        Process mkfs = new ProcessBuilder("mkfs.ext4", "-q", "-F", "-d", root.toString(), disk.toString(), "32M")
                .redirectErrorStream(true).start();
        assertThat(mkfs.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfs.exitValue()).as(new String(mkfs.getInputStream().readAllBytes())).isZero();
        driver = new QemuDriver(QemuConfig.of("qemu-system-x86_64", EmberTestServer.accelerator()));
    }

    @AfterAll
    void cleanUp() throws Exception {
        QemuProcesses.killAllUnder(dir);
        EmberTestServer.deleteTree(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "huge", "silent"})
    void shouldGiveUpOnAHostileGuestWithAReason(String mode) throws Exception {
        Path assets = EmberTestServer.assetsDir();
        Path work = dir.resolve("vm-" + mode);
        Files.createDirectories(work);
        VmSpec spec = new VmSpec("mvm-hostile" + mode, work, assets.resolve("kernel/vmlinux"),
                assets.resolve("initramfs.cpio.gz"), disk, 1, 128, "hostile",
                List.of("ember.init=/hostile", "ember.hostile=" + mode));
        Vm vm = driver.launch(spec);
        try {
            long heapBefore = usedHeap();
            GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(30));
            try {
                // Under TCG the guest needs a few seconds to reach the hostile program: generous deadline.
                assertThatThrownBy(() -> agent.hello(Duration.ofSeconds(20)))
                        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.channelBroken()).isTrue());
                String reason = agent.failure().get(5, TimeUnit.SECONDS);
                assertThat(reason).isNotBlank();
                if (!mode.equals("silent")) assertThat(reason).containsIgnoringCase("protocol");
                assertThat(usedHeap() - heapBefore).as("the host must not allocate what the guest claims")
                        .isLessThan(512L << 20);
            } finally {
                agent.close();
            }
            assertThat(vm.exited()).isNotDone();
        } finally {
            vm.terminate(Duration.ofSeconds(2));
        }
        assertThat(vm.exited().get(10, TimeUnit.SECONDS).requested()).isTrue();
        assertThat(ProcessHandle.of(vm.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
