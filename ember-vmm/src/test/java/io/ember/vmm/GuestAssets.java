package io.ember.vmm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The guest assets built by `bin/ember setup` ($EMBER_ASSETS_DIR, default /var/cache/ember). */
record GuestAssets(Path dir) {

    static GuestAssets require() {
        String configured = System.getProperty("EMBER_ASSETS_DIR", System.getenv("EMBER_ASSETS_DIR"));
        GuestAssets a = new GuestAssets(Path.of(configured != null ? configured : "/var/cache/ember"));
        for (Path p : List.of(a.kernel(), a.initrd(), a.rootfs("busybox")))
            if (!Files.isReadable(p))
                throw new AssertionError("guest asset " + p + " is missing: run `bin/ember setup` (or set EMBER_ASSETS_DIR)");
        return a;
    }

    Path kernel() {
        return dir.resolve("kernel/vmlinux");
    }

    Path initrd() {
        return dir.resolve("initramfs.cpio.gz");
    }

    Path rootfs(String image) {
        return dir.resolve("images").resolve(image).resolve("rootfs.ext4");
    }

    VmSpec spec(String vmId, Path workDir, String image, String hostname) {
        return new VmSpec(vmId, workDir, kernel(), initrd(), rootfs(image), 1, 128, hostname, List.of());
    }
}
