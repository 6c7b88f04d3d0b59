package io.ember.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A guest assets directory with the real layout and placeholder files (fakes never read them). */
public final class Assets {
    private Assets() {}

    public static Path create(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("kernel"));
        Files.writeString(dir.resolve("kernel/vmlinux"), "kernel");
        Files.writeString(dir.resolve("initramfs.cpio.gz"), "initrd");
        image(dir, "busybox", 1, 128);
        image(dir, "debian", 2, 512);
        return dir;
    }

    /** Adds the arm64 guests' layout under {@code dir/arm64} (kernel/Image, initramfs, busybox and debian). */
    public static Path withArm64(Path dir) throws IOException {
        Path arm = dir.resolve("arm64");
        Files.createDirectories(arm.resolve("kernel"));
        Files.writeString(arm.resolve("kernel/Image"), "arm64 kernel");
        Files.writeString(arm.resolve("initramfs.cpio.gz"), "arm64 initrd");
        image(arm, "busybox", 1, 128);
        image(arm, "debian", 2, 512);
        return dir;
    }

    private static void image(Path dir, String name, int vcpus, int memory) throws IOException {
        Path d = Files.createDirectories(dir.resolve("images").resolve(name));
        Files.writeString(d.resolve("rootfs.ext4"), "ext4");
        Files.writeString(d.resolve("image.json"), """
                {"name":"%s","version":"1","description":"%s base","vcpus":%d,"memoryMib":%d,\
                "createdAt":"2026-01-01T00:00:00Z"}""".formatted(name, name, vcpus, memory));
    }
}
