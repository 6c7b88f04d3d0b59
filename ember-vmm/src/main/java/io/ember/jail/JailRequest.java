package io.ember.jail;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One VMM to start in a jail.
 *
 * @param vmId names the cgroup and the jail; letters, digits, '-', '_', '.'
 * @param workDir the VM's own directory: handed to the VM's uid, bound read-write at the same path inside the jail
 * @param ownFiles files in {@code workDir} the VMM must write (its disk overlay, its RAM file): handed to its uid
 * @param sharedFiles files and directories bound read-only at the same path (kernel, initrd, an image's base disk and
 *     snapshot): the VM reads them through the image's group, or because they are world-readable
 * @param devices device nodes bound into the jail besides /dev/null, zero, random, urandom (e.g. /dev/kvm)
 * @param vcpus CPU cap: this many cores (plus a quarter for the VMM's own threads)
 * @param cpuShareMillis the VM's CPU weight under contention, in thousandths of a core ({@code vcpus * 1000}: all of
 *     them; a MicroVM size's baseline: less, so that it bursts into what others leave and yields it back)
 * @param memoryMib guest RAM; the cgroup allows this plus the configured overhead
 * @param netns the network namespace file to join ({@code /run/netns/NAME}: the VM's tap is there); null: a new,
 *     empty one, no interface but loopback
 * @param command the VMM's argv; its first word an absolute path
 * @param pidFile where the jailer writes the pid the host supervises (it lives as long as the VMM)
 */
public record JailRequest(String vmId, Path workDir, List<Path> ownFiles, List<Path> sharedFiles, List<Path> devices,
        int vcpus, int memoryMib, Path netns, List<String> command, Path pidFile, int cpuShareMillis) {

    /** Weighted by all of its vCPUs. */
    public JailRequest(String vmId, Path workDir, List<Path> ownFiles, List<Path> sharedFiles, List<Path> devices,
                       int vcpus, int memoryMib, Path netns, List<String> command, Path pidFile) {
        this(vmId, workDir, ownFiles, sharedFiles, devices, vcpus, memoryMib, netns, command, pidFile, vcpus * 1000);
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public JailRequest {
        if (vmId == null || !ID.matcher(vmId).matches()) throw new IllegalArgumentException("invalid VM id '" + vmId + "' for a jail");
        workDir = workDir.toAbsolutePath().normalize();
        ownFiles = List.copyOf(ownFiles);
        sharedFiles = sharedFiles.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        devices = List.copyOf(devices);
        if (netns != null) {
            if (!netns.isAbsolute()) throw new IllegalArgumentException("netns must be an absolute path, not " + netns);
            netns = netns.normalize();
        }
        command = List.copyOf(command);
        if (command.isEmpty() || !command.getFirst().startsWith("/")) throw new IllegalArgumentException("the VMM must be an absolute path");
        if (vcpus < 1 || memoryMib < 1) throw new IllegalArgumentException("vcpus and memoryMib must be positive");
        if (cpuShareMillis < 1 || cpuShareMillis > vcpus * 1000)
            throw new IllegalArgumentException("cpuShareMillis must be between 1 and vcpus * 1000");
    }
}
