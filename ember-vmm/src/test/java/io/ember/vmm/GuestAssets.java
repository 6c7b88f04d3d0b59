package io.ember.vmm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The guest assets built by `bin/ember setup` ($EMBER_ASSETS_DIR, default /var/cache/ember); those of arm64 guests
 * ({@code bin/ember setup --arch arm64}) are in its {@code arm64/} folder, with the kernel as {@code kernel/Image}.
 */
record GuestAssets(Path dir, Arch arch) {

    GuestAssets(Path dir) {
        this(dir, Arch.X86_64);
    }

    /** The arm64 guest assets under the same assets directory; fails when they were not built. */
    GuestAssets arm64() {
        GuestAssets a = new GuestAssets(dir.resolve("arm64"), Arch.ARM64);
        for (Path p : List.of(a.kernel(), a.initrd(), a.rootfs("busybox")))
            if (!Files.isReadable(p))
                throw new AssertionError("arm64 guest asset " + p + " is missing: run `bin/ember setup --arch arm64`");
        return a;
    }

    static GuestAssets require() {
        String configured = System.getProperty("EMBER_ASSETS_DIR", System.getenv("EMBER_ASSETS_DIR"));
        GuestAssets a = new GuestAssets(Path.of(configured != null ? configured : "/var/cache/ember"));
        for (Path p : List.of(a.kernel(), a.initrd(), a.rootfs("busybox")))
            if (!Files.isReadable(p))
                throw new AssertionError("guest asset " + p + " is missing: run `bin/ember setup` (or set EMBER_ASSETS_DIR)");
        return a;
    }

    Path kernel() {
        return dir.resolve(arch == Arch.ARM64 ? "kernel/Image" : "kernel/vmlinux");
    }

    Path initrd() {
        return dir.resolve("initramfs.cpio.gz");
    }

    Path rootfs(String image) {
        return dir.resolve("images").resolve(image).resolve("rootfs.ext4");
    }

    VmSpec spec(String vmId, Path workDir, String image, String hostname) {
        return new VmSpec(vmId, workDir, kernel(), initrd(), rootfs(image), 1, 128, hostname, List.of()).withArch(arch);
    }
}
