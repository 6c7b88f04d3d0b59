package io.ember.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Keeps the managed base disks that microVMs were launched over. A microVM's disk overlay names its base
 * by path, and `bin/ember setup` replaces a rebuilt asset under the same path: a microVM suspended over
 * the old disk would wake over the new one and read garbage. So launches use a pinned copy in
 * {@code <data>/bases/}, one per asset version (a hard link when the data and asset directories share a
 * file system, else a sparse copy), which never changes.
 */
final class PinnedBases {
    private final Path dir;

    PinnedBases(Path dataDir) {
        this.dir = dataDir.resolve("bases");
    }

    /** The pinned copy of {@code asset} for image {@code name}, made the first time. */
    synchronized Path pin(String name, Path asset) {
        try {
            BasicFileAttributes a = Files.readAttributes(asset, BasicFileAttributes.class);
            Path pinned = dir.resolve(name + "-" + a.size() + "-" + a.lastModifiedTime().toMillis() + ".ext4");
            if (Files.exists(pinned)) return pinned;
            Files.createDirectories(dir);
            Path tmp = dir.resolve(pinned.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createLink(tmp, asset); // the asset is replaced by rename, never rewritten: the link keeps this one
            } catch (IOException | UnsupportedOperationException crossDevice) {
                copySparse(asset, tmp);
            }
            Files.move(tmp, pinned, StandardCopyOption.ATOMIC_MOVE);
            return pinned;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pin the base disk " + asset + " in " + dir, e);
        }
    }

    private static void copySparse(Path from, Path to) throws IOException {
        try {
            Process cp = new ProcessBuilder("cp", "--sparse=always", "--reflink=auto", from.toString(), to.toString())
                    .redirectErrorStream(true).start();
            String out = new String(cp.getInputStream().readAllBytes()).trim();
            if (cp.waitFor() != 0) throw new IOException("cp " + from + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted copying " + from, e);
        }
    }
}
