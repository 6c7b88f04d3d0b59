package io.ember.jail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole disk ("major:minor") under a path, for block I/O limits; null where there is none (tmpfs, overlay). */
final class BlockDevice {
    private BlockDevice() {}

    static String of(Path path) {
        try {
            long dev = (Long) Files.getAttribute(path, "unix:dev");
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            if (major == 0) return null; // no block device: tmpfs, overlayfs, a network file system
            Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
            // I/O limits apply to a whole disk: a partition's parent directory in sysfs is its disk
            if (Files.exists(sys.resolve("partition"))) return Files.readString(sys.toRealPath().getParent().resolve("dev")).trim();
            return Files.isDirectory(sys) ? major + ":" + minor : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
