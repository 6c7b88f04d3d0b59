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
 * @param cpuShareMillis thousandths of a vCPU the machine is guaranteed under contention (its baseline; the cgroup's
 *     weight), up to all of its vCPUs
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
        int cpuShareMillis,
        Arch arch) {

    public VmSpec {
        if (vcpus < 1) throw new IllegalArgumentException("vcpus must be >= 1");
        if (cpuShareMillis < 1 || cpuShareMillis > vcpus * 1000)
            throw new IllegalArgumentException("cpuShareMillis must be between 1 and vcpus * 1000");
        if (arch == null) throw new IllegalArgumentException("arch must be given");
        if (memoryMib < 64) throw new IllegalArgumentException("memoryMib must be >= 64");
        kernelArgs = List.copyOf(kernelArgs);
        sharedFiles = List.copyOf(sharedFiles);
    }

    /** An x86-64 guest guaranteed all of its vCPUs under contention. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs, Nic nic, List<Path> sharedFiles) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, vcpus * 1000,
                Arch.X86_64);
    }

    /** An x86-64 guest guaranteed {@code cpuShareMillis} under contention. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs, Nic nic, List<Path> sharedFiles, int cpuShareMillis) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, cpuShareMillis,
                Arch.X86_64);
    }

    /** A guest of {@code arch} guaranteed all of its vCPUs under contention. */
    public VmSpec(String vmId, Path workDir, Path kernel, Path initrd, Path baseDisk, int vcpus, int memoryMib,
                  String hostname, List<String> kernelArgs, Nic nic, List<Path> sharedFiles, Arch arch) {
        this(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, vcpus * 1000, arch);
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
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, files, cpuShareMillis, arch);
    }

    /**
     * The same machine guaranteed only {@code millis} thousandths of a vCPU under contention (its baseline), bursting up
     * to all of its vCPUs when the host has them free: the cgroup's CPU weight follows it, its CPU cap stays the vCPUs.
     */
    public VmSpec withCpuShare(int millis) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles, millis, arch);
    }

    /** The same machine with {@code nic} as its network device (null: none). */
    public VmSpec withNic(Nic nic) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles,
                cpuShareMillis, arch);
    }

    /** The same machine for {@code arch} (the kernel, initrd and disk must be that architecture's). */
    public VmSpec withArch(Arch arch) {
        return new VmSpec(vmId, workDir, kernel, initrd, baseDisk, vcpus, memoryMib, hostname, kernelArgs, nic, sharedFiles,
                cpuShareMillis, arch);
    }
}
