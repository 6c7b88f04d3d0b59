package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.AgentClient;
import io.ember.agent.GuestAgent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real QEMU (TCG) and the busybox guest: save, resume in place, and clones from one snapshot. */
class SnapshotTest {
    static final String COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done";

    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final QemuDriver driver = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
    final QemuDriver anonymous = new QemuDriver(QemuConfig.defaults());
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();

    VmSpec spec(String name) {
        return assets.spec("vm-" + name, tmp.resolve(name), "busybox", "host-" + name);
    }

    <T extends Vm> T track(T vm) {
        started.add(vm);
        return vm;
    }

    GuestAgent agent(Vm vm) throws Exception {
        return hello(vm, AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5)));
    }

    GuestAgent restore(VmSpec spec, Snapshot snap, boolean privateMemory) throws Exception {
        return restore(driver, spec, snap, privateMemory);
    }

    /** Restore as docs/vmm.md says: paused, agent connected, then resumed. */
    GuestAgent restore(QemuDriver d, VmSpec spec, Snapshot snap, boolean privateMemory) throws Exception {
        Vm vm = track(d.restorePaused(spec, snap, privateMemory));
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        d.resume(vm);
        return hello(vm, a);
    }

    GuestAgent hello(Vm vm, GuestAgent a) throws Exception {
        agents.add(a);
        try {
            a.hello(QemuDriverTest.BOOT);
        } catch (io.ember.agent.AgentException e) {
            Path dir = vm.consoleLog().getParent();
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()) + "\nqemu.log:\n"
                    + Files.readString(dir.resolve("qemu.log")), e);
        }
        return a;
    }

    @AfterEach
    void stopEverything() {
        agents.forEach(GuestAgent::close);
        for (Vm vm : started) {
            vm.terminate(Duration.ofSeconds(2));
            assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    /** Writes a file on the disk and one in RAM (tmpfs), starts a counter in the background; returns its pid. */
    static String prepareGuest(GuestAgent a) throws Exception {
        QemuDriverTest.run(a, "sh", "-c", "echo on-disk > /workspace/f && echo in-ram > /tmp/r && sync");
        String pid = QemuDriverTest.run(a, "sh", "-c", "(" + COUNTER + ") </dev/null >/dev/null 2>&1 & echo $!").strip();
        assertThat(pid).matches("[0-9]+");
        Thread.sleep(500);
        return pid;
    }

    static long count(GuestAgent a) throws Exception {
        return Long.parseLong(QemuDriverTest.run(a, "cat", "/tmp/count").strip());
    }

    /** The guest's state is all there and the counter goes on from where it was. */
    static void assertIntact(GuestAgent a, String pid, long before) throws Exception {
        assertThat(QemuDriverTest.run(a, "cat", "/workspace/f", "/tmp/r")).isEqualTo("on-disk\nin-ram\n");
        QemuDriverTest.run(a, "kill", "-0", pid);
        long now = count(a);
        assertThat(now).isGreaterThanOrEqualTo(before).isLessThan(before == 0 ? Long.MAX_VALUE : before + 50); // went on from the saved point
        Thread.sleep(1000);
        assertThat(count(a)).isGreaterThan(now); // and keeps counting
    }

    @Test
    void save_thenResumeInPlace_keepsFilesProcessesAndRam() throws Exception {
        VmSpec spec = spec("s");
        Vm vm = track(driver.launch(spec));
        GuestAgent a = agent(vm);
        String pid = prepareGuest(a);
        long before = count(a);

        Snapshot snap = driver.save(vm, spec.workDir()); // the agent stays connected (idle) during the save
        assertThat(a.failure()).isDone(); // the VMM ended: that channel is over
        assertThat(vm.exited()).isDone();
        assertThat(vm.exited().get().requested()).isTrue();
        assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(snap.memoryInFile()).isTrue();
        assertThat(Files.size(snap.vmstate())).as("RAM is not in the state file").isLessThan(1 << 20);
        assertThat(Files.size(snap.memory())).isEqualTo(128L << 20);
        assertThat(Snapshot.load(spec.workDir())).isEqualTo(snap);

        GuestAgent b = restore(spec, Snapshot.load(spec.workDir()), false);
        Vm resumed = started.getLast();
        assertThat(resumed.pid()).isNotEqualTo(vm.pid());
        assertThatThrownBy(() -> Snapshot.load(spec.workDir())).as("resumed in place: the snapshot is consumed")
                .isInstanceOf(VmmException.class);
        assertIntact(b, pid, before);
        QemuDriverTest.run(b, "kill", pid);

        // a cold launch in the same directory discards the snapshot and boots from zeroed RAM, keeping the disk
        b.close();
        resumed.terminate(Duration.ofSeconds(5));
        Vm cold = track(driver.launch(spec));
        assertThat(spec.workDir().resolve("vmstate")).doesNotExist();
        GuestAgent c = agent(cold);
        assertThat(QemuDriverTest.run(c, "cat", "/workspace/f")).isEqualTo("on-disk\n");
        assertThat(QemuDriverTest.run(c, "sh", "-c", "cat /tmp/r 2>/dev/null; true")).isEmpty();
    }

    @Test
    void clones_fromOneSnapshot_runApart_andTheSnapshotStaysUnchanged() throws Exception {
        VmSpec template = spec("t");
        Vm vm = track(driver.launch(template));
        GuestAgent a = agent(vm);
        String pid = prepareGuest(a);
        long before = count(a);
        Snapshot snap = driver.save(vm, tmp.resolve("snap"));
        assertThat(template.workDir().resolve("mem.ram")).as("moved into the snapshot").doesNotExist();
        String memSum = sha256(snap.memory()), diskSum = sha256(snap.disk()), stateSum = sha256(snap.vmstate());

        GuestAgent g1 = restore(spec("c1"), snap, true);
        Vm c1 = started.getLast();
        GuestAgent g2 = restore(spec("c2"), snap, true);
        Vm c2 = started.getLast();
        assertIntact(g1, pid, before);
        assertIntact(g2, pid, before);
        QemuDriverTest.run(g1, "sh", "-c", "echo one > /workspace/mine && echo one > /tmp/mine && sync");
        QemuDriverTest.run(g2, "sh", "-c", "echo two > /workspace/mine && echo two > /tmp/mine && sync");
        assertThat(QemuDriverTest.run(g1, "cat", "/workspace/mine", "/tmp/mine")).isEqualTo("one\none\n");
        assertThat(QemuDriverTest.run(g2, "cat", "/workspace/mine", "/tmp/mine")).isEqualTo("two\ntwo\n");

        // a clone's RAM is private: suspending it puts the RAM into its state file, and it resumes from that
        long c1Count = count(g1);
        Snapshot s1 = driver.save(c1, spec("c1").workDir());
        assertThat(s1.memoryInFile()).isFalse();
        assertThat(Snapshot.load(s1.dir()).memoryBackend()).as("the state names its RAM block 'mem'").isTrue();
        assertThat(Files.size(s1.vmstate())).isGreaterThan(1 << 20);
        // resumed by a driver with anonymous RAM (the server's default): it must still give the RAM block that name
        GuestAgent h1 = restore(anonymous, spec("c1"), s1, false);
        Vm r1 = started.getLast();
        assertIntact(h1, pid, c1Count);
        assertThat(QemuDriverTest.run(h1, "cat", "/workspace/mine", "/tmp/mine")).isEqualTo("one\none\n");

        for (Vm v : List.of(r1, c2)) v.terminate(Duration.ofSeconds(5));
        assertThat(sha256(snap.memory())).as("mem.ram").isEqualTo(memSum);
        assertThat(sha256(snap.disk())).as("disk.qcow2").isEqualTo(diskSum);
        assertThat(sha256(snap.vmstate())).as("vmstate").isEqualTo(stateSum);
    }

    @Test
    void anonymousRam_isSavedIntoTheStateFile_andResumes() throws Exception {
        VmSpec spec = spec("anon");
        Vm vm = track(anonymous.launch(spec));
        GuestAgent a = agent(vm);
        String pid = prepareGuest(a);
        long before = count(a);
        Snapshot snap = anonymous.save(vm, spec.workDir());
        assertThat(snap.memoryInFile()).isFalse();
        assertThat(spec.workDir().resolve("mem.ram")).doesNotExist();
        assertThat(Files.size(snap.vmstate())).isGreaterThan(1 << 20);
        GuestAgent b = restore(anonymous, spec, Snapshot.load(spec.workDir()), false);
        assertIntact(b, pid, before);
    }

    @Test
    void restore_refusesAMismatchedSpecAndAnIncompleteSnapshot() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        assertThatThrownBy(() -> Snapshot.load(dir)).isInstanceOf(VmmException.class).hasMessageContaining("snapshot.json");
        Snapshot fake = new Snapshot(dir, 1, 128, true);
        fake.writeManifest();
        assertThatThrownBy(() -> Snapshot.load(dir)).isInstanceOf(VmmException.class).hasMessageContaining("incomplete");
        VmSpec big = new VmSpec("vm-x", tmp.resolve("x"), assets.kernel(), assets.initrd(), assets.rootfs("busybox"), 1, 256,
                "x", List.of());
        assertThatThrownBy(() -> driver.restore(big, fake, true)).isInstanceOf(VmmException.class)
                .hasMessageContaining("128 MiB").hasMessageContaining("256");
        assertThatThrownBy(() -> driver.restore(spec("y"), fake, true)).isInstanceOf(VmmException.class);
    }

    static String sha256(Path p) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
