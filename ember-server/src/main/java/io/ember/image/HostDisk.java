package io.ember.image;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The host's free disk, checked before anything that writes a lot into the data directory (a launch, a suspend, an
 * image build): what the operation may write plus {@code reserveBytes} must be free, or it is refused before it
 * starts, so that a full disk never leaves a half-written snapshot or image (docs/snapshots.md, "Free disk").
 *
 * @param reserveBytes what must stay free after the operation; {@code EMBER_DISK_RESERVE_MIB}, default 1 GiB
 */
public record HostDisk(long reserveBytes) {
    public static final long DEFAULT_RESERVE_MIB = 1024;
    /** No check (tests of other things, embedders that watch their disk themselves). */
    public static final HostDisk UNCHECKED = new HostDisk(-1);

    /** The reserve from {@code EMBER_DISK_RESERVE_MIB} (MiB, 0 or more), else 1 GiB. */
    public static HostDisk fromEnvironment(Map<String, String> env) {
        String v = env.get("EMBER_DISK_RESERVE_MIB");
        if (v == null || v.isBlank()) return new HostDisk(DEFAULT_RESERVE_MIB << 20);
        try {
            long mib = Long.parseLong(v.strip());
            if (mib >= 0 && mib <= (1L << 30)) return new HostDisk(mib << 20);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("EMBER_DISK_RESERVE_MIB must be a number of MiB (0 or more), got '" + v + "'");
    }

    /**
     * Why {@code what}, which may write up to {@code writing} bytes under {@code dir}, must not start; empty when
     * there is room. A file system that cannot be read is not a reason to refuse.
     */
    public Optional<String> refusal(Path dir, long writing, String what) {
        if (reserveBytes < 0) return Optional.empty();
        long free;
        try {
            FileStore fs = Files.getFileStore(existing(dir));
            free = fs.getUsableSpace();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (free - writing >= reserveBytes) return Optional.empty();
        return Optional.of(what + " refused: the host's disk has " + mib(free) + " MiB free under " + dir + "; this may write up to "
                + mib(writing) + " MiB and " + mib(reserveBytes) + " MiB must stay free (EMBER_DISK_RESERVE_MIB)");
    }

    private static Path existing(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        return p == null ? dir : p;
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
