package io.ember.e2e;

import io.ember.sdk.ConflictException;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Isolation, termination, failure detection and server restarts, with real QEMU guests. */
class LifecycleEndToEndTest {

    private EmberTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = EmberTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void shouldIsolateTwoMicrovmsEachWithItsOwnKernelAndHostname() throws Exception {
        try (TestVm a = TestVm.run(server, "busybox"); TestVm b = TestVm.run(server, "debian")) {
            a.ok("echo secret-of-a > /workspace/only-in-a.txt");
            assertThat(b.sh("test -e /workspace/only-in-a.txt").exitCode()).isEqualTo(1);
            assertThat(a.ok("cat /workspace/only-in-a.txt")).isEqualTo("secret-of-a\n");

            String hostKernel = new String(new ProcessBuilder("uname", "-r").start().getInputStream().readAllBytes()).trim();
            String hostName = InetAddress.getLocalHost().getHostName();
            String kernelA = a.ok("uname -r").trim();
            String kernelB = b.ok("uname -r").trim();
            assertThat(kernelA).isNotEqualTo(hostKernel).contains("cloud-amd64");
            assertThat(kernelB).isEqualTo(kernelA);
            String nameA = a.ok("hostname").trim();
            String nameB = b.ok("hostname").trim();
            assertThat(nameA).isNotEqualTo(hostName).isNotEqualTo(nameB);
            // each guest counts its own processes: the agent is PID 1 in both
            assertThat(a.ok("cat /proc/1/comm").trim()).isEqualTo("ember-agent");
            assertThat(b.ok("python3 -c 'print(6*7)'").trim()).isEqualTo("42");
        }
    }

    @Test
    void shouldLeaveNoProcessAndNoDirectoryAfterTerminate() {
        TestVm vm = TestVm.run(server, "busybox");
        Path dir = server.vmDir(vm.id);
        ProcessHandle qemu = QemuProcesses.of(dir).orElseThrow();
        assertThat(Files.isDirectory(dir)).isTrue();

        server.client().terminateMicrovm(vm.id);
        Microvm end = awaitState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(30));
        assertThat(end.terminatedAt()).isNotNull();
        assertThat(end.stateReason()).containsIgnoringCase("user");
        assertThat(qemu.isAlive()).isFalse();
        assertThat(Files.exists(dir)).isFalse();

        assertThatThrownBy(() -> server.client().execAndWait(vm.id, ExecRequest.command("true")))
                .isInstanceOf(ConflictException.class);
        // terminating twice is harmless
        server.client().terminateMicrovm(vm.id);
    }

    @Test
    void shouldReportAKilledVmmProcessAsFailedWithinSeconds() {
        TestVm vm = TestVm.run(server, "busybox");
        ProcessHandle qemu = QemuProcesses.of(server.vmDir(vm.id)).orElseThrow();
        qemu.destroyForcibly();

        Microvm end = awaitState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(10));
        assertThat(end.stateReason()).containsIgnoringCase("exited");
        assertThat(Files.exists(server.vmDir(vm.id))).isFalse();
    }

    @Test
    void shouldFindRunningVmsAgainAfterARestartAndMarkVanishedOnes() {
        TestVm survivor = TestVm.run(server, "busybox");
        TestVm victim = TestVm.run(server, "busybox");
        survivor.ok("echo kept > /workspace/state.txt");
        ProcessHandle survivorQemu = QemuProcesses.of(server.vmDir(survivor.id)).orElseThrow();

        server.stopServerOnly();
        ProcessHandle victimQemu = QemuProcesses.of(server.vmDir(victim.id)).orElseThrow();
        victimQemu.destroyForcibly();
        victimQemu.onExit().join();
        server.startAgain();

        assertThat(server.client().getMicrovm(survivor.id).state()).isEqualTo(MicrovmState.RUNNING);
        assertThat(survivor.ok("cat /workspace/state.txt")).isEqualTo("kept\n");
        assertThat(survivorQemu.isAlive()).isTrue();

        Microvm gone = server.client().getMicrovm(victim.id);
        assertThat(gone.state()).isEqualTo(MicrovmState.TERMINATED);
        assertThat(gone.stateReason()).isNotBlank();
    }

    @Test
    void shouldAdoptAVmmWhosePidWasNeverRecorded() throws Exception {
        TestVm vm = TestVm.run(server, "busybox");
        vm.ok("echo survived > /workspace/crash.txt");
        ProcessHandle qemu = QemuProcesses.of(server.vmDir(vm.id)).orElseThrow();

        // As if the server had crashed after starting QEMU but before writing its pid down.
        server.stopServerOnly();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("ember.db"));
             PreparedStatement clear = db.prepareStatement("UPDATE microvms SET vmm_pid = NULL WHERE id = ?")) {
            clear.setString(1, vm.id);
            assertThat(clear.executeUpdate()).isEqualTo(1);
        }
        server.startAgain();

        assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.RUNNING);
        assertThat(vm.ok("cat /workspace/crash.txt")).isEqualTo("survived\n");
        server.client().terminateMicrovm(vm.id);
        awaitState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(30));
        assertThat(qemu.isAlive()).as("the adopted VMM is stopped by terminate, not left unowned").isFalse();
    }

    private Microvm awaitState(String id, MicrovmState state, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Microvm m;
        do {
            m = server.client().getMicrovm(id);
            if (m.state() == state) return m;
            sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(id + " not " + state + " within " + timeout + ": " + m.state() + " " + m.stateReason());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
