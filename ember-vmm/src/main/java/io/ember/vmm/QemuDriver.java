package io.ember.vmm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.ember.jail.JailException;
import io.ember.jail.JailRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs each microVM as its own QEMU process (-M microvm). See docs/vmm.md. */
public final class QemuDriver implements VmmDriver, Snapshots {
    private static final Logger log = LoggerFactory.getLogger(QemuDriver.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration QEMU_IMG_TIMEOUT = Duration.ofSeconds(30);

    private final QemuConfig config;
    private volatile Accelerator resolved;
    private final long tscKhz = AccelProbe.tscKhz(Path.of("/proc/cpuinfo"));

    public QemuDriver(QemuConfig config) {
        this.config = config;
    }

    /** The accelerator launches use: the configured one, or what AUTO means here (rule: docs/vmm.md). */
    public Accelerator resolve() {
        Accelerator a = resolved;
        if (a == null) {
            a = AccelProbe.resolve(config.accelerator(), System.getenv("EMBER_ACCEL"), Path.of("/dev/kvm"),
                    Path.of("/proc/cpuinfo"));
            log.info("accelerator: {} (configured {})", a, config.accelerator());
            resolved = a;
        }
        return a;
    }

    @Override
    public Vm launch(VmSpec spec) throws VmmException {
        VmFiles files = new VmFiles(spec.workDir());
        List<String> cmd;
        try {
            cmd = QemuCommand.build(config, resolve(), tscKhz, spec, files);
        } catch (IllegalArgumentException e) {
            throw new VmmException(e.getMessage(), e);
        }
        prepare(spec, files);
        return start(spec, files, cmd, "running", List.of(), null, tapOf(spec.nic()));
    }

    /**
     * Starts QEMU with {@code cmd} (jailed when the config has a jail); returns once it is up and QMP says
     * {@code expectedStatus}. Kills it on failure.
     *
     * @param shared what the VM reads besides the spec's files (a snapshot's disk and RAM file)
     * @param privateRam the image RAM file the VM maps privately (copy-on-write), or null
     * @param tap the NIC whose tap {@code cmd} opens (made here, owned by the VMM's uid), or null
     */
    QemuVm start(VmSpec spec, VmFiles files, List<String> cmd, String expectedStatus, List<Path> shared, Path privateRam,
                 Nic tap) throws VmmException {
        Process p;
        try {
            List<String> argv;
            if (config.jail() == null) {
                argv = new ArrayList<>(cmd);
                if (tap != null) {
                    Taps.recreate(tap, 0, 0);
                    argv.addAll(0, Taps.enter(tap.netns())); // unjailed QEMU runs as root: root's tap, in the VM's namespace
                }
            } else {
                argv = jailed(spec, files, cmd, shared, privateRam, tap);
                if (tap != null) tapForJailedVmm(spec, files, tap);
            }
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) argv.addFirst("/usr/bin/setsid"); // own session: a
            // Ctrl-C or the server's death leaves the VMs running for the next server to adopt; setsid execs in place
            p = new ProcessBuilder(argv).redirectInput(new File("/dev/null")).redirectErrorStream(true)
                    .redirectOutput(files.qemuLog().toFile()).start();
        } catch (IOException e) {
            releaseJail(spec.vmId());
            throw new VmmException("cannot start " + cmd.getFirst() + ": " + e.getMessage(), e);
        }
        try {
            return started(spec, files, p, expectedStatus);
        } catch (VmmException | RuntimeException e) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            releaseJail(spec.vmId());
            throw e instanceof VmmException v ? new VmmException(v.getMessage() + qemuLog(files), v.getCause())
                    : new VmmException("VMM start failed: " + e + qemuLog(files), e);
        }
    }

    /** The jailer's argv around QEMU's: the VM's own files, what it reads, its devices (docs/jail.md). */
    private List<String> jailed(VmSpec spec, VmFiles files, List<String> cmd, List<Path> shared, Path privateRam, Nic tap)
            throws VmmException {
        List<String> qemu = new ArrayList<>(cmd);
        qemu.set(0, absoluteBinary(qemu.getFirst()));
        List<Path> own = new ArrayList<>();
        for (Path f : new Path[] {files.disk(), files.memory()}) if (Files.exists(f)) own.add(f);
        List<Path> reads = new ArrayList<>(List.of(spec.kernel(), spec.initrd(), spec.baseDisk()));
        reads.addAll(spec.sharedFiles());
        for (Path f : shared) if (!f.toAbsolutePath().normalize().startsWith(files.dir())) reads.add(f);
        List<Path> devices = new ArrayList<>();
        if (resolve() == Accelerator.KVM) devices.add(Path.of("/dev/kvm"));
        if (tap != null) devices.add(Taps.TUN); // QEMU opens its tap through it
        try {
            List<String> argv = config.jail().command(new JailRequest(spec.vmId(), files.dir(), own, reads, devices,
                    spec.vcpus(), spec.memoryMib(), tap == null ? null : tap.netns(), qemu, files.pidFile(), spec.cpuShareMillis()));
            return privateRam == null ? argv : config.jail().withReadOnlyRam(argv, privateRam);
        } catch (JailException | IllegalArgumentException e) {
            releaseJail(spec.vmId());
            throw new VmmException(spec.vmId() + ": cannot jail the VMM: " + e.getMessage(), e);
        }
    }

    /** The jail gave the work directory to the VMM's uid (and its group, same number): the tap becomes theirs. */
    private void tapForJailedVmm(VmSpec spec, VmFiles files, Nic tap) throws VmmException {
        int uid, gid;
        try {
            uid = (Integer) Files.getAttribute(files.dir(), "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            gid = (Integer) Files.getAttribute(files.dir(), "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            releaseJail(spec.vmId());
            throw new VmmException("cannot read the owner of " + files.dir() + ": " + e.getMessage(), e);
        }
        try {
            Taps.recreate(tap, uid, gid);
        } catch (VmmException e) {
            releaseJail(spec.vmId());
            throw e;
        }
    }

    /** The NIC whose tap a launch opens: one attached to a namespace; else none (no device, or one on nothing). */
    static Nic tapOf(Nic nic) {
        return nic != null && nic.attached() ? nic : null;
    }

    /** {@code name} as an absolute path: itself, or the first match in PATH (the jailer execs no relative name). */
    static String absoluteBinary(String name) throws VmmException {
        if (name.startsWith("/")) return name;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (p.isAbsolute() && Files.isExecutable(p)) return p.toString();
        }
        throw new VmmException(name + " not found in PATH");
    }

    void releaseJail(String vmId) {
        if (config.jail() != null) config.jail().released(vmId);
    }

    /**
     * The work directory: a fresh overlay disk (kept if one exists: a relaunch keeps the VM's disk), no stale
     * sockets, and no RAM file or snapshot of an earlier run (a cold boot starts from zeroed RAM; the snapshot
     * would be useless without its RAM).
     */
    private void prepare(VmSpec spec, VmFiles files) throws VmmException {
        for (Path p : new Path[] {spec.kernel(), spec.initrd(), spec.baseDisk()})
            if (!Files.isReadable(p)) throw new VmmException("missing guest asset " + p + " (run `bin/ember setup`)");
        prepareDir(files);
        try {
            for (String f : new String[] {Snapshot.MANIFEST, Snapshot.VMSTATE, Snapshot.MEMORY}) Files.deleteIfExists(files.dir().resolve(f));
            if (!Files.exists(files.disk())) createOverlay(spec.baseDisk().toAbsolutePath(), "raw", files.disk());
        } catch (IOException e) {
            throw new VmmException("cannot prepare " + files.dir() + ": " + e.getMessage(), e);
        }
    }

    /** The directory exists, its socket paths fit, no stale sockets or pidfile. */
    static void prepareDir(VmFiles files) throws VmmException {
        if (files.longestSocketPath() > VmFiles.MAX_SOCKET_PATH)
            throw new VmmException("work directory " + files.dir() + " is too long for Unix socket paths (max 107 bytes)");
        try {
            Files.createDirectories(files.dir());
            // qemu.log too: opened by the server, it must not be a link a jailed VMM left behind
            for (Path p : new Path[] {files.qmp(), files.agent(), files.console(), files.pidFile(), files.qemuLog()})
                Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new VmmException("cannot prepare " + files.dir() + ": " + e.getMessage(), e);
        }
    }

    void createOverlay(Path base, String baseFormat, Path disk) throws VmmException, IOException {
        Path tmp = disk.resolveSibling(disk.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Process p = new ProcessBuilder(config.qemuImg(), "create", "-q", "-f", "qcow2", "-F", baseFormat, "-b", base.toString(),
                tmp.toString()).redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(QEMU_IMG_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!done) p.destroyForcibly();
            if (!done || p.exitValue() != 0)
                throw new VmmException("qemu-img create failed for " + disk + (done ? "" : " (timed out)") + ": " + out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VmmException("interrupted while creating " + disk, e);
        }
        Files.move(tmp, disk, StandardCopyOption.ATOMIC_MOVE);
    }

    /** QEMU runs: attach the console (it waits for us), check its sockets, one QMP round trip. */
    private QemuVm started(VmSpec spec, VmFiles files, Process p, String expectedStatus) throws VmmException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        awaitFile(files.console(), p, deadline);
        ConsoleReader console;
        while (true) {
            try {
                console = ConsoleReader.attach(files.console(), files.consoleLog(), spec.vmId());
                break;
            } catch (java.net.ConnectException e) {
                // QEMU binds the socket (the file appears) a moment before it listens
                if (!p.isAlive() || System.nanoTime() - deadline > 0)
                    throw new VmmException("cannot attach the console of " + spec.vmId() + ": " + e.getMessage(), e);
                awaitFile(files.console(), p, deadline); // sleeps nothing when it exists; checks the process
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new VmmException("interrupted while starting QEMU", ie);
                }
            } catch (IOException e) {
                throw new VmmException("cannot attach the console of " + spec.vmId() + ": " + e.getMessage(), e);
            }
        }
        try {
            awaitFile(files.agent(), p, deadline);
            awaitFile(files.qmp(), p, deadline);
            try (Qmp qmp = Qmp.connect(files.qmp(), remaining(deadline))) {
                String status = qmp.execute("query-status", Map.of(), remaining(deadline)).path("status").asText();
                if (!status.equals(expectedStatus))
                    throw new VmmException("VMM is " + status + " after start, not " + expectedStatus);
            }
        } catch (IOException | VmmException e) {
            console.close();
            throw e instanceof VmmException v ? v : new VmmException("VMM start failed: " + e.getMessage(), e);
        }
        log.info("{}: QEMU pid {} started ({})", spec.vmId(), p.pid(), resolve());
        return new QemuVm(spec.vmId(), files, p.toHandle(), p, console, () -> releaseJail(spec.vmId()));
    }

    private static void awaitFile(Path file, Process p, long deadline) throws VmmException {
        while (!Files.exists(file)) {
            if (!p.isAlive()) throw new VmmException("QEMU exited with code " + p.exitValue() + " during start");
            if (System.nanoTime() - deadline > 0)
                throw new VmmException("QEMU did not create " + file.getFileName() + " within " + START_TIMEOUT.toSeconds() + " s");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmmException("interrupted while starting QEMU", e);
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    static String qemuLog(VmFiles files) {
        try {
            String s = Files.readString(files.qemuLog(), StandardCharsets.UTF_8).strip();
            if (s.length() > 2000) s = "..." + s.substring(s.length() - 2000);
            return s.isEmpty() ? "" : "; QEMU said: " + s;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** How this driver runs QEMU (image builds make a file-backed-memory sibling from it). */
    public QemuConfig config() {
        return config;
    }

    long tscKhz() {
        return tscKhz;
    }

    @Override
    public Snapshot save(Vm vm, Path dir) throws VmmException {
        return new QemuSnapshots(this).save(vm, dir);
    }

    @Override
    public Vm restorePaused(VmSpec spec, Snapshot snapshot, boolean privateMemory) throws VmmException {
        return new QemuSnapshots(this).restorePaused(spec, snapshot, privateMemory);
    }

    @Override
    public void resume(Vm vm) throws VmmException {
        new QemuSnapshots(this).resume(vm);
    }

    /**
     * Finds the VMM of {@code spec} after a server restart: {@code pid} must be alive and its
     * command line must name this work directory (guards against a reused pid).
     */
    @Override
    public Optional<Vm> adopt(VmSpec spec, long pid) {
        VmFiles files = new VmFiles(spec.workDir());
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty() || !commandLine(pid).contains(files.pidFile().toString())) return Optional.empty();
        ConsoleReader console = null;
        try {
            console = ConsoleReader.attach(files.console(), files.consoleLog(), spec.vmId());
        } catch (IOException e) {
            log.warn("{}: adopted without a console reader: {}", spec.vmId(), e.getMessage());
        }
        log.info("{}: adopted QEMU pid {}", spec.vmId(), pid);
        return Optional.of(new QemuVm(spec.vmId(), files, h.get(), null, console, () -> releaseJail(spec.vmId())));
    }

    /** Finds the VMM through the pid file QEMU wrote (-pidfile); {@link #adopt(VmSpec, long)} still checks the process. */
    @Override
    public Optional<Vm> adopt(VmSpec spec) {
        Path pidFile = new VmFiles(spec.workDir()).pidFile();
        try {
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
            return text.matches("[0-9]{1,10}") ? adopt(spec, Long.parseLong(text)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The NUL-separated /proc/PID/cmdline as a list; empty when unreadable (gone, or not ours to see). */
    static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Deletes a VM's work directory (overlay disk, sockets, logs): the caller's job once the VM
     * has exited and its disk is no longer wanted.
     */
    public static void deleteWorkDir(Path workDir) throws IOException {
        if (!Files.exists(workDir)) return;
        try (Stream<Path> all = Files.walk(workDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
