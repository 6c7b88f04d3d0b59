package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.AgentClient;
import io.ember.agent.AgentInfo;
import io.ember.agent.GuestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real qemu-system-aarch64 (-M virt, TCG on this x86-64 host) and the arm64 busybox guest: boot, exec, an image
 * snapshot and a clone of it, the clone suspended (RAM into its state) and resumed in place. Needs the arm64 assets
 * ({@code bin/ember setup --arch arm64}). Few VMs: emulating another architecture is the slowest boot there is here.
 */
class Arm64GuestTest {
    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require().arm64();
    final QemuDriver driver = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();
    AgentInfo lastHello;

    VmSpec spec(String name) {
        return assets.spec("arm-" + name, tmp.resolve(name), "busybox", "arm-" + name);
    }

    @AfterEach
    void stopEverything() {
        agents.forEach(GuestAgent::close);
        for (Vm vm : started) {
            vm.terminate(Duration.ofSeconds(2));
            assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    GuestAgent hello(Vm vm, GuestAgent a) throws Exception {
        agents.add(a);
        try {
            lastHello = a.hello(QemuDriverTest.BOOT);
        } catch (io.ember.agent.AgentException e) {
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()) + "\nqemu.log:\n"
                    + Files.readString(vm.consoleLog().getParent().resolve("qemu.log")), e);
        }
        return a;
    }

    GuestAgent restore(VmSpec spec, Snapshot snap, boolean privateMemory) throws Exception {
        Vm vm = driver.restorePaused(spec, snap, privateMemory);
        started.add(vm);
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        driver.resume(vm);
        return hello(vm, a);
    }

    @Test
    void arm64Guest_boots_runsCommands_snapshotsAndClones() throws Exception {
        VmSpec spec = spec("t");
        Vm vm = driver.launch(spec);
        started.add(vm);
        String cmdline = Files.readString(Path.of("/proc/" + vm.pid() + "/cmdline")).replace('\0', ' ');
        assertThat(cmdline).contains("qemu-system-aarch64", "-M virt,gic-version=3", "-cpu cortex-a72", "console=ttyAMA0")
                .doesNotContain("tsc_early_khz", "microvm");
        GuestAgent a = hello(vm, AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5)));
        assertThat(lastHello.hostname()).isEqualTo("arm-t");
        assertThat(lastHello.kernel()).contains("-cloud-arm64");
        assertThat(QemuDriverTest.run(a, "uname", "-m")).isEqualTo("aarch64\n");
        String pid = SnapshotTest.prepareGuest(a);
        long before = SnapshotTest.count(a);

        Snapshot snap = driver.save(vm, tmp.resolve("snap"));
        assertThat(snap.arch()).isEqualTo(Arch.ARM64);
        assertThat(Snapshot.load(snap.dir())).isEqualTo(snap);
        assertThat(Files.readString(snap.dir().resolve(Snapshot.MANIFEST))).contains("\"arch\":\"aarch64\"");
        assertThatThrownBy(() -> driver.restorePaused(spec("x86").withArch(Arch.X86_64), snap, true))
                .isInstanceOf(VmmException.class).hasMessageContaining("ARM64 machine");

        GuestAgent c = restore(spec("c"), snap, true);
        SnapshotTest.assertIntact(c, pid, before);
        assertThat(QemuDriverTest.run(c, "uname", "-m")).isEqualTo("aarch64\n");

        // the clone's RAM is private: suspended, it goes into vmstate, and the clone resumes in place from it
        long cCount = SnapshotTest.count(c);
        Vm clone = started.getLast();
        Snapshot s = driver.save(clone, spec("c").workDir());
        assertThat(s.memoryInFile()).isFalse();
        assertThat(s.arch()).isEqualTo(Arch.ARM64);
        GuestAgent r = restore(spec("c"), Snapshot.load(s.dir()), false);
        SnapshotTest.assertIntact(r, pid, cCount);
    }

    @Test
    void arm64Debian_boots_andRunsItsOwnPython() throws Exception {
        VmSpec spec = new VmSpec("arm-deb", tmp.resolve("deb"), assets.kernel(), assets.initrd(), assets.rootfs("debian"), 1, 256,
                "arm-deb", List.of()).withArch(Arch.ARM64);
        Vm vm = driver.launch(spec);
        started.add(vm);
        GuestAgent a = hello(vm, AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5)));
        assertThat(QemuDriverTest.run(a, "python3", "-c", "import platform; print(platform.machine())")).isEqualTo("aarch64\n");
        assertThat(QemuDriverTest.run(a, "dpkg", "--print-architecture")).isEqualTo("arm64\n");
        assertThat(QemuDriverTest.run(a, "stat", "-c", "%a", "/tmp", "/usr/bin/su")).as("modes kept through the second stage's tar")
                .isEqualTo("1777\n4755\n");
    }
}
