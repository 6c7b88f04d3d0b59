package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.image.build.BuildFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A size's disk, on real ext4 images with the host's mkfs.ext4, e2fsck and resize2fs. */
class SizedDiskTest {
    @TempDir
    Path dir;

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** The file system's size in bytes, as its superblock says. */
    private static long fsBytes(Path disk) throws Exception {
        long blocks = 0, blockSize = 0;
        for (String l : run("dumpe2fs", "-h", disk.toString()).lines().toList()) {
            if (l.startsWith("Block count:")) blocks = Long.parseLong(l.replaceAll("\\D", ""));
            if (l.startsWith("Block size:")) blockSize = Long.parseLong(l.replaceAll("\\D", ""));
        }
        return blocks * blockSize;
    }

    private SizedDisk.Command host() {
        return (timeout, argv) -> {
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0)
                    throw new BuildFailure(argv[0] + " failed");
            } catch (java.io.IOException | InterruptedException e) {
                throw new BuildFailure(e.toString());
            }
        };
    }

    @Test
    void growsTheDiskAndItsFileSystemToTheSizesDiskSparse() throws Exception {
        Path disk = dir.resolve("rootfs.ext4");
        run("truncate", "-s", "64M", disk.toString());
        run("mkfs.ext4", "-q", "-F", disk.toString());
        assertThat(SizedDisk.isExt4(disk)).isTrue();
        try (BuildLogFile log = new BuildLogFile(dir.resolve("build.log"))) {
            SizedDisk.grow(disk, SizeClass.MIB_1024, log, host());
        }
        assertThat(Files.size(disk)).isEqualTo(8L << 30);
        assertThat(fsBytes(disk)).as("the file system fills the disk").isGreaterThan((8L << 30) - (64L << 20));
        long allocated = Long.parseLong(run("stat", "-c", "%b", disk.toString()).strip()) * 512;
        assertThat(allocated).as("sparse: only what the file system wrote").isLessThan(512L << 20);
        assertThat(Files.readString(dir.resolve("build.log"))).contains("disk grown to 8 GiB");
    }

    @Test
    void leavesALargerDiskOrOneWithoutExt4AsItIs() throws Exception {
        Path notExt4 = dir.resolve("fake.ext4");
        Files.writeString(notExt4, "ext4");
        Path large = dir.resolve("large.ext4");
        run("truncate", "-s", "9G", large.toString());
        try (BuildLogFile log = new BuildLogFile(dir.resolve("build.log"))) {
            SizedDisk.grow(notExt4, SizeClass.MIB_512, log, host());
            SizedDisk.grow(large, SizeClass.MIB_512, log, (t, argv) -> {
                throw new AssertionError("nothing to run for a disk already larger");
            });
        }
        assertThat(Files.size(notExt4)).isEqualTo(4);
        assertThat(Files.size(large)).isEqualTo(9L << 30);
        assertThat(Files.readString(dir.resolve("build.log"))).contains("holds no ext4 file system, left at 4 bytes");
    }
}
