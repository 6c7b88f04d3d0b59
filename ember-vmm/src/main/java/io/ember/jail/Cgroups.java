package io.ember.jail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cgroup per VM, with its limits, on cgroup v2 (one unified tree) or v1 (a tree per controller: cpu, memory,
 * pids, blkio). The jailer joins the directories {@link #create} returns before it starts the VMM, so every process
 * and thread of the VMM is counted from its first instruction.
 */
abstract sealed class Cgroups permits Cgroups.V1, Cgroups.V2 {
    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    static final long CPU_PERIOD_US = 100_000;

    /**
     * What one VM may use. {@code cpuShareMillis} is its weight under contention, in thousandths of a core (the kernel's
     * default weight is one core's: v1 {@code cpu.shares} 1024, v2 {@code cpu.weight} 100). {@code ioDevice} is
     * "major:minor" of the disk under the VM's files, or null.
     */
    record Limits(long cpuQuotaUs, int cpuShareMillis, long memoryBytes, int pids, String ioDevice, JailConfig.IoLimits io) {
        /** Weighted as one core per vCPU of its quota. */
        Limits(long cpuQuotaUs, long memoryBytes, int pids, String ioDevice, JailConfig.IoLimits io) {
            this(cpuQuotaUs, (int) Math.max(1, cpuQuotaUs * 1000 / CPU_PERIOD_US), memoryBytes, pids, ioDevice, io);
        }

        /** v1 {@code cpu.shares}: 1024 a core, at least 2 (the kernel's minimum). */
        long v1Shares() {
            return Math.max(2, 1024L * cpuShareMillis / 1000);
        }

        /** v2 {@code cpu.weight}: 100 a core, from 1 to 10000. */
        long v2Weight() {
            return Math.clamp(cpuShareMillis / 10L, 1, 10_000);
        }
    }

    final Path root;
    final String name;

    Cgroups(Path root, String name) {
        this.root = root;
        this.name = name;
    }

    /** The cgroup file system of this host: v2 where /sys/fs/cgroup is unified, else v1's controller trees. */
    static Cgroups detect(String name) throws JailException {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) return new V2(root, name);
        for (String c : V1.CONTROLLERS)
            if (!Files.isRegularFile(root.resolve(c).resolve("cgroup.procs")))
                throw new JailException("cgroup v1 controller '" + c + "' is not mounted at " + root.resolve(c)
                        + " and /sys/fs/cgroup is not cgroup v2: cannot limit VMs (docs/jail.md)");
        return new V1(root, name);
    }

    abstract String version();

    /** Creates (or re-creates) the VM's cgroup with its limits; returns the directories to join. */
    abstract List<Path> create(String vmId, Limits limits) throws JailException;

    /** The VM's cgroup directories (for tests and diagnostics). */
    abstract List<Path> directories(String vmId);

    /** Removes the VM's cgroup once its processes are gone (the kernel refuses while any is left). */
    void remove(String vmId) {
        for (Path dir : directories(vmId)) {
            for (int attempt = 0; Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
                try {
                    Files.delete(dir); // rmdir: a cgroup directory's files are not real files
                } catch (IOException e) {
                    if (attempt >= 50) {
                        log.warn("cannot remove cgroup {}: {}", dir, e.getMessage());
                        break;
                    }
                    sleep(20); // the last thread of the VMM is still leaving
                }
            }
        }
    }

    static void write(Path file, String value) throws JailException {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new JailException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    static void mkdir(Path dir) throws JailException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JailException("cannot create cgroup " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final class V1 extends Cgroups {
        static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids", "blkio");

        V1(Path root, String name) {
            super(root, name);
        }

        @Override
        String version() {
            return "v1";
        }

        @Override
        List<Path> directories(String vmId) {
            return CONTROLLERS.stream().map(c -> root.resolve(c).resolve(name).resolve(vmId)).toList();
        }

        @Override
        List<Path> create(String vmId, Limits l) throws JailException {
            List<Path> dirs = directories(vmId);
            for (Path d : dirs) mkdir(d);
            Map<String, Path> by = Map.of("cpu", dirs.get(0), "memory", dirs.get(1), "pids", dirs.get(2), "blkio", dirs.get(3));
            write(by.get("cpu").resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_US));
            write(by.get("cpu").resolve("cpu.cfs_quota_us"), Long.toString(l.cpuQuotaUs()));
            write(by.get("cpu").resolve("cpu.shares"), Long.toString(l.v1Shares()));
            write(by.get("memory").resolve("memory.limit_in_bytes"), Long.toString(l.memoryBytes()));
            write(by.get("pids").resolve("pids.max"), Integer.toString(l.pids()));
            if (l.ioDevice() != null && l.io() != null) {
                Path b = by.get("blkio");
                throttle(b.resolve("blkio.throttle.read_bps_device"), l.ioDevice(), l.io().readBytesPerSecond());
                throttle(b.resolve("blkio.throttle.write_bps_device"), l.ioDevice(), l.io().writeBytesPerSecond());
                throttle(b.resolve("blkio.throttle.read_iops_device"), l.ioDevice(), l.io().readIops());
                throttle(b.resolve("blkio.throttle.write_iops_device"), l.ioDevice(), l.io().writeIops());
            }
            return dirs;
        }

        private static void throttle(Path file, String device, long value) throws JailException {
            if (value > 0) write(file, device + " " + value);
        }
    }

    static final class V2 extends Cgroups {
        V2(Path root, String name) {
            super(root, name);
        }

        @Override
        String version() {
            return "v2";
        }

        @Override
        List<Path> directories(String vmId) {
            return List.of(root.resolve(name).resolve(vmId));
        }

        @Override
        List<Path> create(String vmId, Limits l) throws JailException {
            Path parent = root.resolve(name);
            mkdir(parent);
            enableControllers(root);
            enableControllers(parent);
            Path dir = parent.resolve(vmId);
            mkdir(dir);
            write(dir.resolve("cpu.max"), l.cpuQuotaUs() + " " + CPU_PERIOD_US);
            write(dir.resolve("cpu.weight"), Long.toString(l.v2Weight()));
            write(dir.resolve("memory.max"), Long.toString(l.memoryBytes()));
            if (Files.exists(dir.resolve("memory.swap.max"))) write(dir.resolve("memory.swap.max"), "0");
            write(dir.resolve("pids.max"), Integer.toString(l.pids()));
            if (l.ioDevice() != null && l.io() != null) {
                List<String> parts = new ArrayList<>();
                JailConfig.IoLimits io = l.io();
                if (io.readBytesPerSecond() > 0) parts.add("rbps=" + io.readBytesPerSecond());
                if (io.writeBytesPerSecond() > 0) parts.add("wbps=" + io.writeBytesPerSecond());
                if (io.readIops() > 0) parts.add("riops=" + io.readIops());
                if (io.writeIops() > 0) parts.add("wiops=" + io.writeIops());
                if (!parts.isEmpty()) write(dir.resolve("io.max"), l.ioDevice() + " " + String.join(" ", parts));
            }
            return List.of(dir);
        }

        /** A v2 cgroup offers a controller to its children only when its subtree_control says so. */
        private static void enableControllers(Path dir) throws JailException {
            String available;
            try {
                available = Files.readString(dir.resolve("cgroup.controllers")).trim();
            } catch (IOException e) {
                throw new JailException("cannot read " + dir.resolve("cgroup.controllers") + ": " + e.getMessage(), e);
            }
            List<String> want = new ArrayList<>();
            for (String c : List.of("cpu", "memory", "pids", "io"))
                if ((" " + available + " ").contains(" " + c + " ")) want.add("+" + c);
                else throw new JailException("cgroup v2 controller '" + c + "' is not available in " + dir);
            write(dir.resolve("cgroup.subtree_control"), String.join(" ", want));
        }
    }
}
