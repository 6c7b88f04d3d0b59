package io.ember.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small ext4 file system of its own, loop-mounted (the tests run as root), to fill up on purpose: free disk
 * checks are tested against a real file system, never a fake figure. Closing unmounts it and removes its files.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path image;
    public final Path mount;

    private SmallDisk(Path image, Path mount) {
        this.image = image;
        this.mount = mount;
    }

    /** An empty ext4 of {@code mib} MiB (no blocks reserved for root) mounted under {@code dir}. */
    public static SmallDisk create(Path dir, int mib) throws IOException, InterruptedException {
        Path image = dir.resolve("small.ext4");
        Path mount = Files.createDirectories(dir.resolve("small"));
        run("truncate", "-s", mib + "M", image.toString());
        run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
        run("mount", "-o", "loop", image.toString(), mount.toString());
        return new SmallDisk(image, mount);
    }

    /** Takes {@code mib} MiB of the file system with a file (allocated, not sparse) named {@code name}. */
    public Path fill(String name, int mib) throws IOException, InterruptedException {
        Path f = mount.resolve(name);
        run("fallocate", "-l", mib + "M", f.toString());
        return f;
    }

    public long usable() throws IOException {
        return Files.getFileStore(mount).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", mount.toString());
        Files.deleteIfExists(image);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
