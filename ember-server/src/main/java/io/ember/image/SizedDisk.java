package io.ember.image;

import io.ember.image.build.BuildFailure;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A version's size sets its disk (docs/images.md, "Sizes"): the build's rootfs.ext4 grows, sparse, to the size's disk,
 * and its ext4 file system with it, before the Dockerfile's steps run. A disk already larger is left as it is (a file
 * system does not shrink safely); a disk holding no ext4 file system is left too (nothing to grow into it).
 */
final class SizedDisk {
    /** Runs a host command of the build (its output goes to the build log); fails the build when it fails. */
    interface Command {
        void run(Duration timeout, String... argv) throws BuildFailure;
    }

    private SizedDisk() {}

    static void grow(Path rootfs, SizeClass size, BuildLogFile log, Command command) throws BuildFailure {
        try {
            long now = Files.size(rootfs);
            if (now >= size.diskBytes()) return;
            if (!isExt4(rootfs)) {
                log.line("size " + size.describe() + ": rootfs.ext4 holds no ext4 file system, left at " + now + " bytes");
                return;
            }
            try (RandomAccessFile f = new RandomAccessFile(rootfs.toFile(), "rw")) {
                f.setLength(size.diskBytes());
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot grow rootfs.ext4 to " + size.diskGib + " GiB: " + e.getMessage());
        }
        // e2fsck exits 1 when it corrected something (a built base's journal, saved while mounted): that is success
        command.run(Duration.ofMinutes(5), "sh", "-c", "e2fsck -f -p \"$1\"; [ $? -le 1 ]", "e2fsck", rootfs.toString());
        command.run(Duration.ofMinutes(5), "resize2fs", "-f", rootfs.toString());
        log.line("size " + size.describe() + ": disk grown to " + size.diskGib + " GiB");
    }

    /** The ext2/3/4 superblock's magic, 0xEF53 at byte 1080. */
    static boolean isExt4(Path disk) throws IOException {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
            return ch.read(b, 1080) == 2 && b.getShort(0) == (short) 0xEF53;
        }
    }
}
