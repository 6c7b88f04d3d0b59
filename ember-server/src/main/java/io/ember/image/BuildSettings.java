package io.ember.image;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param runStepTimeout one RUN step
 * @param buildTimeout the whole build, from start to the snapshot
 * @param readyTimeout how long the application may take to become ready (docs/images.md, "Ready")
 * @param bootTimeout from a build or snapshot VM's launch to the agent's HELLO answer
 * @param disk the free disk a build must leave (its image's disk and RAM are written): checked when it is asked for
 */
public record BuildSettings(Path kernel, Path initrd, String qemuImg, Duration runStepTimeout, Duration buildTimeout,
                            Duration readyTimeout, Duration bootTimeout, HostDisk disk) {
    public static BuildSettings defaults(ImageCatalog catalog) {
        return new BuildSettings(catalog.kernel(), catalog.initrd(), "qemu-img", Duration.ofMinutes(30), Duration.ofMinutes(60),
                Duration.ofSeconds(120), Duration.ofSeconds(60), new HostDisk(HostDisk.DEFAULT_RESERVE_MIB << 20));
    }

    public BuildSettings withDisk(HostDisk value) {
        return new BuildSettings(kernel, initrd, qemuImg, runStepTimeout, buildTimeout, readyTimeout, bootTimeout, value);
    }
}
