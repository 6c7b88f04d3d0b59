package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.ExecResult;
import io.ember.sdk.MicrovmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The jail seen as a user and an auditor see it, through the public API (docs/jail.md): every microVM's QEMU runs as
 * its own unprivileged uid under seccomp, a guest that fills its disk or forks without end leaves the server and its
 * neighbour serving, and the data directory is the server's alone.
 */
class JailEndToEndTest {
    private EmberTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = EmberTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** The QEMU process of a microVM: the only child of the jailer whose pid the server recorded. */
    long qemuPid(String id) throws Exception {
        long jailer = Long.parseLong(Files.readString(server.vmDir(id).resolve("qemu.pid")).strip());
        List<ProcessHandle> children = ProcessHandle.of(jailer).orElseThrow().children().toList();
        assertThat(children).hasSize(1);
        return children.getFirst().pid();
    }

    static String status(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip();
        throw new AssertionError(field + " not in /proc/" + pid + "/status");
    }

    @Test
    void shouldKeepServingANeighbourWhileAGuestFillsItsDiskAndForksWithoutEnd() throws Exception {
        try (TestVm hostile = TestVm.run(server, "busybox"); TestVm neighbour = TestVm.run(server, "busybox")) {
            for (String id : List.of(hostile.id, neighbour.id)) {
                long qemu = qemuPid(id);
                assertThat(status(qemu, "Uid").split("\\s+")).doesNotContain("0");
                assertThat(status(qemu, "CapEff")).isEqualTo("0000000000000000");
                assertThat(status(qemu, "Seccomp")).isEqualTo("2");
            }
            assertThat(qemuUid(hostile.id)).isNotEqualTo(qemuUid(neighbour.id));

            // fill the guest's disk: the host file stops near the disk's size, whatever the guest writes
            ExecResult fill = hostile.sh("dd if=/dev/zero of=/workspace/fill bs=1M 2>&1; sync; df -k / | tail -1");
            assertThat(fill.stdoutText()).containsIgnoringCase("No space left");
            long virtualSize = Files.size(EmberTestServer.assetsDir().resolve("images/busybox/rootfs.ext4"));
            long onHost = Files.size(server.vmDir(hostile.id).resolve("disk.qcow2"));
            assertThat(onHost).as("the overlay on the host").isLessThanOrEqualTo(virtualSize + (64L << 20));

            // fork without end, detached from the exec
            hostile.ok("(f() { f | f & }; f) </dev/null >/dev/null 2>&1 & echo started");
            List<Long> roundTrips = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                assertThat(neighbour.ok("echo alive-" + i)).isEqualTo("alive-" + i + "\n");
                roundTrips.add((System.nanoTime() - t0) / 1_000_000);
                assertThat(server.client().getMicrovm(neighbour.id).state()).isEqualTo(MicrovmState.RUNNING);
            }
            assertThat(server.client().getMicrovm(hostile.id).state()).isEqualTo(MicrovmState.RUNNING);
            System.out.println("neighbour exec round trips (ms) during a fork bomb next door: " + roundTrips);

            long qemu = qemuPid(hostile.id);
            // figures for docs/jail.md: what the VMM used, against its cgroup's memory limit (guest RAM + overhead)
            System.out.println("hostile VMM peak RSS " + status(qemu, "VmHWM") + ", neighbour VMM peak RSS "
                    + status(qemuPid(neighbour.id), "VmHWM"));
            server.client().terminateMicrovm(hostile.id);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ProcessHandle.of(qemu).filter(ProcessHandle::isAlive).isPresent() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(ProcessHandle.of(qemu).filter(ProcessHandle::isAlive)).as("the fork-bombed VM terminates").isEmpty();
            assertThat(neighbour.ok("echo still")).isEqualTo("still\n");
        }
    }

    int qemuUid(String id) throws Exception {
        return Integer.parseInt(status(qemuPid(id), "Uid").split("\\s+")[0]);
    }

    @Test
    void shouldKeepTheDataDirectoryToItself_acrossSuspendAndRestart() throws Exception {
        try (TestVm vm = TestVm.run(server, "busybox")) {
            vm.ok("echo private > /workspace/p && sync");
            Rest.suspend(server, vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            Path dir = server.vmDir(vm.id);
            assertThat(Files.getPosixFilePermissions(server.dataDir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.getPosixFilePermissions(dir.resolve("vmstate"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(dir.resolve("disk.qcow2"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat((Integer) Files.getAttribute(dir, "unix:uid")).as("the VM's own uid").isNotZero();

            server.restart();
            for (Path p : List.of(server.dataDir().resolve("ember.db"), server.dataDir().resolve("host.key"))) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                assertThat(perms).as(p.toString()).doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
            }
            assertThat(vm.ok("cat /workspace/p")).isEqualTo("private\n"); // resumed by the request, jailed again
        }
    }
}
