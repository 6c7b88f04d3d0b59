package io.ember.image;

import io.ember.hooks.Hooks;
import java.nio.file.Path;
import java.util.Map;
import io.ember.vmm.Arch;

/**
 * What RunMicrovm starts a microVM from: a managed image (booted cold from its disk) or a version of
 * an image built from a Dockerfile (resumed from its snapshot; see docs/images.md).
 *
 * @param rootfs the raw ext4 disk a cold boot puts its overlay over
 * @param snapshot the image's snapshot directory (io.ember.vmm.Snapshot layout, RAM in {@code mem.ram}),
 *     null for a managed image: then the microVM boots cold
 * @param environment the image's environment variables (ENV and environmentVariables), given to the
 *     processes Ember starts in the microVM
 * @param hooks the version's hooks ({@link Hooks#NONE} for a managed image)
 * @param egressNetworkConnectors the version's egressNetworkConnectors, what a RunMicrovm that names none gets
 *     (empty: INTERNET_EGRESS)
 * @param size the version's size ({@link SizeClass}): {@code vcpus} and {@code memoryMib} are then its peak, and its
 *     baseline is what is billed; null for a managed image or a version sized before sizes existed
 * @param arch the guest's architecture: which kernel and initramfs boot it, which QEMU runs it
 */
public record LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                           Map<String, String> environment, Path rootfs, Path snapshot, Hooks hooks,
                           java.util.List<String> egressNetworkConnectors, SizeClass size, Arch arch) {
    /** An x86-64 guest without a size. */
    public LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                        Map<String, String> environment, Path rootfs, Path snapshot, Hooks hooks,
                        java.util.List<String> egressNetworkConnectors) {
        this(imageArn, imageName, imageVersion, vcpus, memoryMib, environment, rootfs, snapshot, hooks, egressNetworkConnectors,
                null, Arch.X86_64);
    }

    /** An x86-64 guest of a size. */
    public LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                        Map<String, String> environment, Path rootfs, Path snapshot, Hooks hooks,
                        java.util.List<String> egressNetworkConnectors, SizeClass size) {
        this(imageArn, imageName, imageVersion, vcpus, memoryMib, environment, rootfs, snapshot, hooks, egressNetworkConnectors,
                size, Arch.X86_64);
    }

    /** A guest of {@code arch} without a size. */
    public LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                        Map<String, String> environment, Path rootfs, Path snapshot, Hooks hooks,
                        java.util.List<String> egressNetworkConnectors, Arch arch) {
        this(imageArn, imageName, imageVersion, vcpus, memoryMib, environment, rootfs, snapshot, hooks, egressNetworkConnectors,
                null, arch);
    }

    /** Without egress connectors. */
    public LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                        Map<String, String> environment, Path rootfs, Path snapshot, Hooks hooks) {
        this(imageArn, imageName, imageVersion, vcpus, memoryMib, environment, rootfs, snapshot, hooks, null);
    }

    public LaunchSource {
        egressNetworkConnectors = java.util.List.copyOf(egressNetworkConnectors == null ? java.util.List.of() : egressNetworkConnectors);
        environment = Map.copyOf(environment == null ? Map.of() : environment);
        hooks = hooks == null ? Hooks.NONE : hooks;
        if (arch == null) arch = Arch.X86_64;
    }

    /** Without hooks. */
    public LaunchSource(String imageArn, String imageName, String imageVersion, int vcpus, int memoryMib,
                        Map<String, String> environment, Path rootfs, Path snapshot) {
        this(imageArn, imageName, imageVersion, vcpus, memoryMib, environment, rootfs, snapshot, Hooks.NONE);
    }

    public static LaunchSource of(ManagedImage m) {
        return new LaunchSource(m.arn(), m.name(), m.version(), m.vcpus(), m.memoryMib(), Map.of(), m.rootfs(), null);
    }
}
