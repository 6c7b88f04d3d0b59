package io.ember.vmm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync for files and directories (a rename is durable only once its directory is synced). */
final class Durable {
    private Durable() {}

    static void fsync(Path p) throws IOException {
        // A directory opens for reading only; fsync on that descriptor is what Linux offers.
        try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
