package io.ember.vmm;

import java.nio.file.Path;
import java.util.List;

/**
 * What a machine is made of. {@code workDir} is the VM's own directory (overlay disk, sockets,
 * console log); the driver creates what it needs inside and nothing outside.
 *
 * @param baseDisk read-only ext4 root disk of the image; the driver puts a copy-on-write overlay over it
 * @param kernelArgs extra kernel command-line words (the driver adds console, root and ember.* words)
 * @param network outbound network through QEMU user-mode NAT (image builds: {@code RUN apt-get install});
 *     the agent configures the interface (docs/vmm.md, "Build network"). A snapshot restores only into a spec
 *     with the same value: the device set is part of the saved state
 */
public record VmSpec(
        String vmId,
        Path workDir,
        Path kernel,
        Path initrd,
        Path baseDisk,
        int vcpus,
        int memoryMib,
        String hostname,
        List<String> kernelArgs,
        boolean network) {

    public VmSpec {
        if (vcpus < 1) throw new IllegalArgumentException("vcpus must be >= 1");
        if (memoryMib < 64) throw new IllegalArgumentException("memoryMib must be >= 64");
        kernelArgs = List.copyOf(kernelArgs);
    }

    /** Without network. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, false);
    }
}
