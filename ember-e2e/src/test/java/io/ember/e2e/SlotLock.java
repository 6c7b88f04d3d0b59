package io.ember.e2e;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One of {@code count} numbered slots (address ranges, namespace names) that test classes running at once must not
 * share, held by a lock on {@code dir/N.lock} until closed (or the JVM ends).
 */
final class SlotLock implements AutoCloseable {
    final int index;
    private final FileChannel channel;
    private final FileLock lock;

    private SlotLock(int index, FileChannel channel, FileLock lock) {
        this.index = index;
        this.channel = channel;
        this.lock = lock;
    }

    /** The first free slot; an IllegalStateException naming {@code what} when all are taken. */
    static SlotLock first(Path dir, int count, String what) throws IOException {
        Files.createDirectories(dir);
        for (int k = 0; k < count; k++) {
            FileChannel ch = FileChannel.open(dir.resolve(k + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l != null) return new SlotLock(k, ch, l);
            ch.close();
        }
        throw new IllegalStateException("no free " + what);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
