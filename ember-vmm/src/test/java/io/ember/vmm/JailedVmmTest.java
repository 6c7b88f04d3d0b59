package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.GuestAgent;
import io.ember.jail.Jail;
import io.ember.jail.JailConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU started through the real jailer (docs/jail.md), checked from outside as an auditor would: the VMM's uid,
 * capabilities, seccomp mode, namespaces, root directory, rlimits and cgroup limits; then snapshots and clones jailed.
 */
class JailedVmmTest {
    static Jail jail;

    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();

    @BeforeAll
    static void openJail() throws Exception {
        JailConfig defaults = JailConfig.defaults(GuestAssets.require().dir());
        jail = Jail.open(new JailConfig(defaults.jailer(), defaults.mountPoint(), defaults.idBase(), defaults.idCount(),
                "ember-test", defaults.memoryOverheadMib(), defaults.pidsMax(), defaults.nofile(), defaults.io()));
    }

    QemuDriver driver(boolean fileBackedMemory) {
        return new QemuDriver(QemuConfig.defaults().withFileBackedMemory(fileBackedMemory).withJail(jail));
    }

    VmSpec spec(String name) {
        return assets.spec("vm-" + name + "-" + run, tmp.resolve(name), "busybox", "host-" + name);
    }

    GuestAgent agent(Vm vm, boolean restored, QemuDriver d) throws Exception {
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        agents.add(a);
        if (restored) d.resume(vm);
        try {
            a.hello(QemuDriverTest.BOOT);
        } catch (io.ember.agent.AgentException e) {
            throw new AssertionError(e.getMessage() + "; qemu.log:\n" + Files.readString(vm.consoleLog().resolveSibling("qemu.log")), e);
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

    /** The QEMU process: the jailer's only child (the jailer is the pid the host supervises). */
    static long qemuPid(Vm vm) {
        List<ProcessHandle> children = ProcessHandle.of(vm.pid()).orElseThrow().children().toList();
        assertThat(children).as("the jailer has one child, the VMM").hasSize(1);
        return children.getFirst().pid();
    }

    static Map<String, String> status(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip(), (a, b) -> a));
    }

    @Test
    void aJailedVmm_isUnprivileged_confined_andLimited_seenFromOutside() throws Exception {
        QemuDriver d = driver(false);
        VmSpec spec = spec("j");
        Vm vm = d.launch(spec);
        started.add(vm);
        GuestAgent a = agent(vm, false, d);
        assertThat(QemuDriverTest.run(a, "cat", "/proc/sys/kernel/hostname")).isEqualTo("host-j\n");
        long qemu = qemuPid(vm);
        Map<String, String> st = status(qemu);

        int uid = (Integer) Files.getAttribute(spec.workDir(), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertThat(uid).as("the VM's own uid owns its directory").isBetween(jail.config().idBase(), jail.config().idBase() + jail.config().idCount());
        assertThat(st.get("Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(Integer.toString(uid));
        assertThat(st.get("Gid").split("\\s+")).containsOnly(Integer.toString(uid));
        for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) assertThat(st.get(cap)).as(cap).isEqualTo("0000000000000000");
        assertThat(st.get("Seccomp")).as("seccomp filter mode").isEqualTo("2");
        assertThat(st.get("NoNewPrivs")).isEqualTo("1");
        for (String ns : List.of("mnt", "pid", "ipc", "uts", "net"))
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/" + ns)))
                    .as(ns + " namespace").isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)));
        String limits = Files.readString(Path.of("/proc/" + qemu + "/limits"));
        assertThat(limits).containsPattern("Max core file size\\s+0\\s+0").containsPattern("Max open files\\s+4096\\s+4096")
                .containsPattern("Max processes\\s+512\\s+512");

        // its root holds /usr (read-only), device nodes, its own /proc, and only this VM's files
        Path root = Path.of("/proc/" + qemu + "/root");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> top = Files.list(root)) { // root itself is a link: list it, then walk what is inside
            for (Path entry : top.toList()) {
                String name = entry.getFileName().toString();
                if (name.equals("usr") || name.equals("proc")) continue;
                try (Stream<Path> all = Files.walk(entry)) {
                    all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(p))
                            .forEach(p -> files.add("/" + root.relativize(p)));
                }
            }
        }
        Set<String> allowed = new TreeSet<>(List.of("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom",
                spec.kernel().toString(), spec.initrd().toString(), spec.baseDisk().toString()));
        try (Stream<Path> own = Files.list(spec.workDir())) {
            own.forEach(p -> allowed.add(p.toString()));
        }
        assertThat(files).as("files visible to the VMM").isSubsetOf(allowed).contains(spec.baseDisk().toString(),
                spec.workDir().resolve("disk.qcow2").toString());
        assertThat(Files.exists(root.resolve("etc/passwd"))).isFalse();
        assertThat(Files.readString(Path.of("/proc/" + qemu + "/mountinfo"))).containsPattern(" /usr ro,");

        // its cgroup caps CPU, memory and processes
        String cgroups = Files.readString(Path.of("/proc/" + qemu + "/cgroup"));
        assertThat(cgroups).contains("/ember-test/" + spec.vmId());
        List<Path> dirs = jail.cgroupDirectories(spec.vmId());
        long memory = (128L + jail.config().memoryOverheadMib()) << 20;
        if (jail.cgroupVersion().equals("v1")) {
            assertThat(read(dirs.get(0).resolve("cpu.cfs_quota_us"))).isEqualTo("125000");
            assertThat(read(dirs.get(1).resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(memory));
            assertThat(read(dirs.get(2).resolve("pids.max"))).isEqualTo("512");
            assertThat(read(dirs.get(2).resolve("cgroup.procs")).lines()).contains(Long.toString(qemu));
        } else {
            assertThat(read(dirs.getFirst().resolve("cpu.max"))).isEqualTo("125000 100000");
            assertThat(read(dirs.getFirst().resolve("memory.max"))).isEqualTo(Long.toString(memory));
            assertThat(read(dirs.getFirst().resolve("pids.max"))).isEqualTo("512");
        }

        // the host's files stay the host's: the directory is the VM's, the logs are not
        assertThat(Files.getPosixFilePermissions(spec.workDir())).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        assertThat((Integer) Files.getAttribute(spec.workDir().resolve("console.log"), "unix:uid")).isZero();

        vm.terminate(Duration.ofSeconds(5));
        assertThat(ProcessHandle.of(qemu).filter(ProcessHandle::isAlive)).as("QEMU gone with the jailer").isEmpty();
        for (Path dir : dirs) assertThat(dir).as("cgroup removed").doesNotExist();
    }

    @Test
    void jailedSnapshots_resumeInPlace_andClonesReadTheImageRamWithoutWritingIt() throws Exception {
        QemuDriver files = driver(true);
        VmSpec template = spec("t");
        Vm t = files.launch(template);
        started.add(t);
        GuestAgent a = agent(t, false, files);
        String pid = SnapshotTest.prepareGuest(a);
        long before = SnapshotTest.count(a);
        Snapshot snap = files.save(t, tmp.resolve("snap"));
        for (Path f : List.of(snap.memory(), snap.disk(), snap.vmstate()))
            assertThat((Integer) Files.getAttribute(f, "unix:uid")).as("%s back to root", f).isZero();
        String memSum = SnapshotTest.sha256(snap.memory()), diskSum = SnapshotTest.sha256(snap.disk());

        VmSpec cloneSpec = spec("c");
        Vm clone = files.restorePaused(cloneSpec, snap, true);
        started.add(clone);
        GuestAgent g = agent(clone, true, files);
        SnapshotTest.assertIntact(g, pid, before);
        long qemu = qemuPid(clone);
        int cloneUid = (Integer) Files.getAttribute(cloneSpec.workDir(), "unix:uid");
        assertThat(cloneUid).isNotEqualTo((Integer) Files.getAttribute(template.workDir(), "unix:uid"));
        // the image RAM file: open read-only in the clone's VMM, group-readable, writable by nobody but root
        String ramFd = openFlags(qemu, snap.memory());
        assertThat(Integer.parseInt(ramFd, 8) & 3).as("O_ACCMODE of the RAM file's fd").isZero();
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(snap.memory());
        assertThat(perms).contains(PosixFilePermission.GROUP_READ).doesNotContain(PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ);
        assertThat(status(qemu).get("Groups").split("\\s+")).as("one group per image directory")
                .containsExactly(Files.getAttribute(snap.memory(), "unix:gid").toString());
        assertThat(Files.getAttribute(snap.disk(), "unix:gid")).isEqualTo(Files.getAttribute(snap.memory(), "unix:gid"));

        // suspend the clone (its private RAM into its own state file) and resume it in place, jailed both times
        long c = SnapshotTest.count(g);
        Snapshot own = files.save(clone, cloneSpec.workDir());
        // a jailed VMM sees only what its spec names: the clone's disk is an overlay of the image snapshot's
        Vm resumed = files.restorePaused(cloneSpec.withSharedFiles(List.of(snap.disk())), own, false);
        started.add(resumed);
        SnapshotTest.assertIntact(agent(resumed, true, files), pid, c);
        resumed.terminate(Duration.ofSeconds(5));
        assertThat(SnapshotTest.sha256(snap.memory())).isEqualTo(memSum);
        assertThat(SnapshotTest.sha256(snap.disk())).isEqualTo(diskSum);
    }

    /** The octal open flags of the fd through which {@code pid} has {@code file} open. */
    static String openFlags(long pid, Path file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (!Files.readSymbolicLink(fd).equals(file.toAbsolutePath())) continue;
                } catch (IOException e) {
                    continue;
                }
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd.getFileName())))
                    if (line.startsWith("flags:")) return line.substring(6).strip();
            }
        }
        throw new AssertionError(file + " is not open in " + pid);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p).strip();
    }
}
