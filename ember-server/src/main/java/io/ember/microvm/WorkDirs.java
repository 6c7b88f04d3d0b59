package io.ember.microvm;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** The per-VM directories under {@code <data>/vms}. */
final class WorkDirs {
    private WorkDirs() {}

    static Path root(Path dataDir) {
        return dataDir.resolve("vms");
    }

    /** Where the disks of microVMs lost in the middle of a suspend are kept: {@code <data>/recovered/<id>/}. */
    static Path recovered(Path dataDir) {
        return dataDir.resolve("recovered");
    }

    /** Files a crash can leave half written; never part of a whole snapshot, so always safe to delete. */
    static void removeStaleTemporaries(Path dir) throws IOException {
        for (String f : new String[] {"vmstate.tmp", "snapshot.json.tmp", "disk.qcow2.tmp"}) Files.deleteIfExists(dir.resolve(f));
    }

    /**
     * Moves the disk overlay of {@code dir} (when there is one) to {@code <data>/recovered/<id>/disk.qcow2}: the guest's
     * files are in it, and without a whole snapshot nothing proves them useless. Empty when there is no disk.
     */
    static java.util.Optional<Path> keepDisk(Path dataDir, String id, Path dir) throws IOException {
        Path disk = dir.resolve("disk.qcow2");
        if (!Files.isRegularFile(disk, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return java.util.Optional.empty();
        Path to = recovered(dataDir).resolve(id);
        Files.createDirectories(to);
        Path kept = to.resolve("disk.qcow2");
        Files.move(disk, kept, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return java.util.Optional.of(kept);
    }

    /** Removes {@code dir} and everything in it; symlinks are removed, never followed. */
    static void remove(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) throw e;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The bytes {@code dir} holds (apparent sizes of its regular files, symlinks not followed): what a suspended
     * microVM is billed for. 0 when it cannot be read: a metering reading never fails a transition.
     */
    static long bytes(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
