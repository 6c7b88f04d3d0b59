package io.ember.jail;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts VMMs jailed (docs/jail.md): each under its own uid and gid, in new mount, PID, IPC, UTS and network
 * namespaces, with a root that holds only its own files, no capabilities, rlimits, and a cgroup that caps its CPU,
 * memory, processes and block I/O. {@link #command} turns a VMM's argv into the jailer's; the jailer does the rest.
 * Knows nothing of QEMU beyond "a process with files".
 */
public final class Jail {
    private static final Logger log = LoggerFactory.getLogger(Jail.class);
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final JailConfig config;
    private final Cgroups cgroups;
    private final Ids ids;

    private Jail(JailConfig config, Cgroups cgroups) {
        this.config = config;
        this.cgroups = cgroups;
        this.ids = new Ids(config.idBase(), config.idCount());
    }

    /** Checks what a jail needs here (root, the jailer, cgroups) and says what is missing. */
    public static Jail open(JailConfig config) throws JailException {
        if (!runningAsRoot())
            throw new JailException("jailing VMMs needs root (the jailer builds namespaces and cgroups, then drops to a "
                    + "VM's own uid); run the server as root, or set EMBER_JAIL=off to run QEMU unjailed (unsafe: docs/jail.md)");
        if (!config.jailerPresent())
            throw new JailException("the VMM jailer " + config.jailer() + " is missing: run `bin/ember setup`");
        Cgroups cgroups = Cgroups.detect(config.cgroupName());
        try {
            Files.createDirectories(config.mountPoint());
        } catch (IOException e) {
            throw new JailException("cannot create the jail mount point " + config.mountPoint() + ": " + e.getMessage(), e);
        }
        log.info("VMMs are jailed: {} (cgroup {}, ids {}..{})", config.jailer(), cgroups.version(), config.idBase(),
                (long) config.idBase() + config.idCount() - 1);
        return new Jail(config, cgroups);
    }

    public JailConfig config() {
        return config;
    }

    /** "v1" or "v2". */
    public String cgroupVersion() {
        return cgroups.version();
    }

    /** The VM's cgroup directories (one per controller on v1, one on v2). */
    public List<Path> cgroupDirectories(String vmId) {
        return cgroups.directories(vmId);
    }

    /**
     * Prepares the VM's files, ids and cgroup and returns the argv that starts {@code r.command()} jailed. The
     * work directory and {@code ownFiles} become the VM's uid's (0700/0600); shared files stay root's and are read
     * through an image group, or because they are world-readable.
     */
    public List<String> command(JailRequest r) throws JailException {
        int uid = vmUid(r.workDir());
        for (Path f : r.ownFiles()) handTo(f, uid);
        Set<Integer> groups = new LinkedHashSet<>();
        for (Path f : r.sharedFiles()) shareable(f).ifPresent(groups::add);
        List<String> deviceArgs = new ArrayList<>();
        for (Path d : r.devices()) {
            // through the device's group (/dev/kvm: kvm), or world-accessible as it is; a device only root may open
            // (/dev/net/tun is 0600 root:root on some hosts) becomes a node of the VM's own in the jail, never group 0
            java.util.Optional<Integer> g = groupOf(d).filter(gid -> gid != 0 && usable(d, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE));
            g.ifPresent(groups::add);
            boolean shared = g.isPresent() || usable(d, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            deviceArgs.addAll(List.of(shared ? "--dev" : "--dev-own", d.toString()));
        }
        List<Path> cgroupDirs = cgroups.create(r.vmId(), limits(r));
        List<String> argv = new ArrayList<>(List.of(config.jailer().toString(), "--id", r.vmId(), "--uid",
                Integer.toString(uid), "--gid", Integer.toString(uid), "--root", config.mountPoint().toString(),
                "--pidfile", r.pidFile().toAbsolutePath().toString(),
                "--nofile", Integer.toString(config.nofile()), "--nproc", Integer.toString(config.pidsMax()),
                "--bind", r.workDir().toString()));
        argv.addAll(r.netns() == null ? List.of("--net", "none") : List.of("--netns", r.netns().toString()));
        for (int g : groups) argv.addAll(List.of("--group", Integer.toString(g)));
        for (Path f : r.sharedFiles()) argv.addAll(List.of("--bind-ro", f.toString()));
        argv.addAll(deviceArgs);
        for (Path c : cgroupDirs) argv.addAll(List.of("--cgroup", c.toString()));
        argv.add("--");
        argv.addAll(r.command());
        return argv;
    }

    /** The argv of {@link #command} with the image RAM file that the VMM maps privately opened read-only. */
    public List<String> withReadOnlyRam(List<String> jailed, Path ramFile) {
        Path preload = config.jailer().resolveSibling("ember-ro-ram.so");
        List<String> argv = new ArrayList<>(jailed);
        int at = argv.indexOf("--");
        argv.addAll(at, List.of("--ro-ram", ramFile.toAbsolutePath().normalize().toString(), "--preload", preload.toString()));
        return argv;
    }

    /** The VM's processes are gone: its cgroup goes too. Its uid stays with its work directory. */
    public void released(String vmId) {
        cgroups.remove(vmId);
    }

    /**
     * Records the ids held by what lies in {@code dir}, down to three levels (VM work directories, image versions and
     * their files), so a restarted server does not hand them out again.
     */
    public void reserveExisting(Path dir) {
        if (!Files.isDirectory(dir, NOFOLLOW)) return;
        try (var all = Files.walk(dir, 3)) {
            all.forEach(this::reserve);
        } catch (IOException | java.io.UncheckedIOException e) {
            log.warn("cannot scan {} for jail ids: {}", dir, e.getMessage());
        }
    }

    private void reserve(Path p) {
        try {
            ids.reserve((Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW), p);
            ids.reserve((Integer) Files.getAttribute(p, "unix:gid", NOFOLLOW), p);
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or not a unix file system: nothing held
        }
    }

    /** The work directory's owner when Ember gave it one, else a new uid it now owns (and its group: same number). */
    private int vmUid(Path workDir) throws JailException {
        try {
            PosixFileAttributes a = Files.readAttributes(workDir, PosixFileAttributes.class, NOFOLLOW);
            if (!a.isDirectory()) throw new JailException(workDir + " is not a directory");
            int owner = (Integer) Files.getAttribute(workDir, "unix:uid", NOFOLLOW);
            int uid;
            if (ids.inRange(owner)) {
                uid = owner;
                ids.reserve(uid, workDir);
            } else {
                uid = ids.allocate(workDir, false);
            }
            handTo(workDir, uid);
            Files.setPosixFilePermissions(workDir, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
            return uid;
        } catch (IOException e) {
            throw new JailException("cannot hand " + workDir + " to its VM: " + e.getMessage(), e);
        }
    }

    /** chown uid:uid without following a link (a VM could have put one there), mode 0600 for files. */
    private static void handTo(Path f, int uid) throws JailException {
        try {
            if (!Files.exists(f, NOFOLLOW)) return;
            if (Files.isSymbolicLink(f)) throw new JailException(f + " is a symbolic link; refusing to hand it to a VM");
            Files.setAttribute(f, "unix:uid", uid, NOFOLLOW);
            Files.setAttribute(f, "unix:gid", uid, NOFOLLOW);
            if (Files.isRegularFile(f, NOFOLLOW))
                Files.setPosixFilePermissions(f, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        } catch (IOException e) {
            throw new JailException("cannot hand " + f + " to its VM: " + e.getMessage(), e);
        }
    }

    /**
     * What group lets a VM read {@code f}: none when everyone may (public assets), the file's group when Ember gave
     * it one, else a new group given to it now (and to the files in it, for a directory). The files stay root's and
     * no VM can write them.
     */
    private java.util.Optional<Integer> shareable(Path f) throws JailException {
        try {
            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class); // a link is followed: the jailer binds its target
            Set<PosixFilePermission> p = a.permissions();
            boolean dir = a.isDirectory();
            if (p.contains(PosixFilePermission.OTHERS_READ) && (!dir || p.contains(PosixFilePermission.OTHERS_EXECUTE))
                    && (!dir || everyoneReadsInside(f)))
                return java.util.Optional.empty();
            // One group per directory (an image version's files: its base disk, its snapshot's disk and RAM), recorded as
            // the directory's group, so a VM gets one group per image whatever it reads of it.
            Path real = f.toRealPath();
            Path holder = dir ? real : real.getParent();
            int gid = (Integer) Files.getAttribute(holder, "unix:gid", NOFOLLOW);
            if (ids.inRange(gid)) {
                ids.reserve(gid, holder);
            } else {
                gid = ids.allocate(holder, true);
                Files.setAttribute(holder, "unix:gid", gid, NOFOLLOW);
            }
            groupRead(f, gid);
            if (dir)
                try (DirectoryStream<Path> inside = Files.newDirectoryStream(f)) {
                    for (Path c : inside) if (Files.isRegularFile(c, NOFOLLOW)) groupRead(c, gid);
                }
            return java.util.Optional.of(gid);
        } catch (IOException e) {
            throw new JailException("cannot share " + f + " read-only with a VM: " + e.getMessage(), e);
        }
    }

    private static boolean everyoneReadsInside(Path dir) throws IOException {
        try (DirectoryStream<Path> inside = Files.newDirectoryStream(dir)) {
            for (Path c : inside)
                if (Files.isRegularFile(c, NOFOLLOW) && !Files.getPosixFilePermissions(c, NOFOLLOW).contains(PosixFilePermission.OTHERS_READ))
                    return false;
        }
        return true;
    }

    /** Group {@code gid}, group may read (and enter a directory), nobody but the owner may write. */
    private static void groupRead(Path f, int gid) throws IOException {
        Files.setAttribute(f, "unix:gid", gid, NOFOLLOW);
        Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(f, NOFOLLOW));
        p.add(PosixFilePermission.GROUP_READ);
        if (Files.isDirectory(f, NOFOLLOW)) p.add(PosixFilePermission.GROUP_EXECUTE);
        p.remove(PosixFilePermission.GROUP_WRITE);
        p.remove(PosixFilePermission.OTHERS_WRITE);
        Files.setPosixFilePermissions(f, p);
    }

    private static boolean usable(Path device, PosixFilePermission read, PosixFilePermission write) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(device);
            return p.contains(read) && p.contains(write);
        } catch (IOException e) {
            return false;
        }
    }

    private static java.util.Optional<Integer> groupOf(Path device) {
        try {
            return java.util.Optional.of((Integer) Files.getAttribute(device, "unix:gid"));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private Cgroups.Limits limits(JailRequest r) {
        long quota = r.vcpus() * Cgroups.CPU_PERIOD_US + Cgroups.CPU_PERIOD_US / 4; // vCPUs, and a quarter core for QEMU's own threads
        long memory = ((long) r.memoryMib() + config.memoryOverheadMib()) << 20;
        return new Cgroups.Limits(quota, r.cpuShareMillis(), memory, config.pidsMax(), BlockDevice.of(r.workDir()), config.io());
    }

    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
