package io.ember.jail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How VMMs are jailed (docs/jail.md).
 *
 * @param jailer the {@code ember-jailer} binary (built by {@code bin/ember setup} into {@code <assets>/bin})
 * @param mountPoint an empty directory the jailer mounts each jail's root on, inside that jail's own mount namespace
 *     (so one directory serves every jail)
 * @param idBase first uid/gid of the range Ember owns: every VM gets its own uid and gid from it, every image
 *     whose files VMs share read-only gets its own gid
 * @param idCount size of that range
 * @param cgroupName the cgroup (under each controller's root on cgroup v1, under the root on v2) that holds one
 *     child cgroup per VM
 * @param memoryOverheadMib what a VMM may use besides the guest RAM before its cgroup refuses memory (QEMU itself,
 *     TCG's translation cache, I/O buffers; measured in docs/jail.md)
 * @param pidsMax processes and threads per VM (QEMU: vCPU threads, the main loop, up to 64 I/O workers)
 * @param nofile open files per VMM
 * @param io per-VM block I/O limits on the data directory's device; null for none
 */
public record JailConfig(Path jailer, Path mountPoint, int idBase, int idCount, String cgroupName, int memoryOverheadMib,
        int pidsMax, int nofile, IoLimits io) {

    public static final int DEFAULT_ID_BASE = 1_500_000_000;
    public static final int DEFAULT_ID_COUNT = 1 << 24;

    public JailConfig {
        Objects.requireNonNull(jailer, "jailer");
        Objects.requireNonNull(mountPoint, "mountPoint");
        if (idBase < 65_536 || idCount < 16 || (long) idBase + idCount > Integer.MAX_VALUE)
            throw new IllegalArgumentException("the id range must start at or above 65536, hold at least 16 ids and end below 2^31");
        if (cgroupName == null || !cgroupName.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"))
            throw new IllegalArgumentException("invalid cgroup name '" + cgroupName + "'");
        if (memoryOverheadMib < 32) throw new IllegalArgumentException("memoryOverheadMib must be >= 32");
        if (pidsMax < 32) throw new IllegalArgumentException("pidsMax must be >= 32");
        if (nofile < 64) throw new IllegalArgumentException("nofile must be >= 64");
    }

    /**
     * Per-VM block I/O limits (bytes and operations per second); 0 leaves that one unlimited.
     */
    public record IoLimits(long readBytesPerSecond, long writeBytesPerSecond, long readIops, long writeIops) {
        public static IoLimits defaults() {
            return new IoLimits(256L << 20, 128L << 20, 4000, 2000);
        }
    }

    /** The defaults, with the jailer from {@code <assetsDir>/bin/ember-jailer} (or {@code EMBER_JAILER}). */
    public static JailConfig defaults(Path assetsDir) {
        String env = System.getenv("EMBER_JAILER");
        Path jailer = env != null && !env.isBlank() ? Path.of(env) : assetsDir.resolve("bin/ember-jailer");
        return new JailConfig(jailer, Path.of("/run/ember/jail"), DEFAULT_ID_BASE, DEFAULT_ID_COUNT, "ember", 384, 512,
                4096, IoLimits.defaults());
    }

    /** Whether the jailer is there and runnable. */
    public boolean jailerPresent() {
        return Files.isRegularFile(jailer) && Files.isExecutable(jailer);
    }
}
