package io.ember.vmm;

import java.nio.file.Path;
import java.util.List;

/**
 * What a machine is made of. {@code workDir} is the VM's own directory (overlay disk, sockets,
 * console log); the driver creates what it needs inside and nothing outside.
 *
 * @param baseDisk read-only ext4 root disk of the image; the driver puts a copy-on-write overlay over it
 * @param kernelArgs extra kernel command-line words (the driver adds console, root and ember.* words)
 * @param nic the network device, null for none (docs/vmm.md, "Network"). A cold boot tells the guest its address
 *     through a kernel word; a restore attaches a device iff the snapshot had one (the device set is part of the
 *     saved state) and the guest is told its new address through RESTORED
 * @param sharedFiles files or directories besides kernel, initrd and base disk that the VM reads and never writes
 *     (an image snapshot its disk is an overlay of): a jailed VMM sees only what the spec names (docs/jail.md)
 * @param arch the guest's architecture: its kernel, initrd and disk must be built for it (docs/vmm.md, "Architectures")
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
        Nic nic,
        List<Path> sharedFiles,
        Arch arch) {

    public VmSpec {
        if (vcpus < 1) throw new IllegalArgumentException("vcpus must be >= 1");
        if (arch == null) throw new IllegalArgumentException("arch must be given");
        if (memoryMib < 64) throw new IllegalArgumentException("memoryMib must be >= 64");
        kernelArgs = List.copyOf(kernelArgs);
        sharedFiles = List.copyOf(sharedFiles);
    }

    /** An x86-64 guest. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs, Nic nic, List<Path> sharedFiles) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, Arch.X86_64);
    }

    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs, Nic nic) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, List.of());
    }

    /** Without a network device. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, null);
    }

    /** The same machine, also reading {@code files}. */
    public VmSpec withSharedFiles(List<Path> files) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, files, arch);
    }

    /** The same machine with {@code nic} as its network device (null: none). */
    public VmSpec withNic(Nic nic) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, arch);
    }

    /** The same machine for {@code arch} (the kernel, initrd and disk must be that architecture's). */
    public VmSpec withArch(Arch arch) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, arch);
    }
}
