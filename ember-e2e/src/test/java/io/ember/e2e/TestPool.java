package io.ember.e2e;

import io.ember.egress.Cidr;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A microVM address pool (/20 in 10.240.0.0/12) no other server of this test run uses: held by a file lock. */
final class TestPool implements AutoCloseable {
    final Cidr cidr;
    private final FileChannel channel;
    private final FileLock lock;

    private TestPool(Cidr cidr, FileChannel channel, FileLock lock) {
        this.cidr = cidr;
        this.channel = channel;
        this.lock = lock;
    }

    static TestPool acquire() throws IOException {
        Path dir = Files.createDirectories(Path.of("/tmp/ember-test-pools"));
        for (int k = 0; k < 256; k++) {
            FileChannel ch = FileChannel.open(dir.resolve(k + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l != null) return new TestPool(Cidr.parse("10." + (240 + k / 16) + "." + (k % 16 * 16) + ".0/20"), ch, l);
            ch.close();
        }
        throw new IllegalStateException("no free test address pool");
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
