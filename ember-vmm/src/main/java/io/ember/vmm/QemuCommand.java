package io.ember.vmm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The QEMU command line of a microVM (docs/vmm.md explains every part). */
final class QemuCommand {
    private static final Pattern HOSTNAME =
            Pattern.compile("(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Pattern KERNEL_WORD = Pattern.compile("[\\x21-\\x7E&&[^\"]]{1,256}");
    static final String BASE_APPEND = "console=ttyS0 reboot=k panic=-1 quiet rdinit=/init";
    /**
     * The CPU of an arm64 guest under TCG: an Armv8.0 core without pointer authentication (whose emulation is slow in
     * TCG) or SVE, and a fixed model, so a snapshot restores on any host's QEMU of the same version. KVM uses the host's.
     */
    static final String ARM64_TCG_CPU = "cortex-a72";
    /** TCG translation cache, MiB: bounded so a VMM fits its memory cgroup (docs/jail.md). */
    static final int TCG_TB_MIB = 256;
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";
    /**
     * The MAC on the command line of a restore whose spec has no NIC: the device's MAC is part of the saved state and
     * replaces it (docs/vmm.md, "Network").
     */
    static final String DETACHED_MAC = "02:eb:00:00:00:00";

    private QemuCommand() {}

    /**
     * Where a launch takes its RAM and disk from.
     *
     * @param memory the RAM file, or null for anonymous RAM
     * @param shareMemory map the RAM file shared (writes reach the file) or private (copy-on-write, file untouched)
     * @param incoming start paused, waiting for {@code migrate-incoming} (a restore)
     * @param backend the RAM is a backend object {@code mem}: a file when {@code memory} is set, else anonymous
     *     ({@code memory-backend-ram}, for restoring a saved VM whose RAM was a backend)
     * @param nic the machine has a network device: a cold boot has one iff the spec has a NIC, a restore iff the
     *     snapshot had one (its backend is the spec's tap, or nothing)
     */
    record Boot(Path memory, boolean shareMemory, Path disk, boolean incoming, boolean backend, boolean nic) {
        Boot {
            if (memory != null) backend = true;
        }

        Boot(Path memory, boolean shareMemory, Path disk, boolean incoming, boolean backend) {
            this(memory, shareMemory, disk, incoming, backend, false);
        }

        Boot(Path memory, boolean shareMemory, Path disk, boolean incoming) {
            this(memory, shareMemory, disk, incoming, memory != null);
        }

        Boot withNic(boolean nic) {
            return new Boot(memory, shareMemory, disk, incoming, backend, nic);
        }

        static Boot cold(QemuConfig config, VmFiles files, VmSpec spec) {
            return new Boot(config.fileBackedMemory() ? files.memory() : null, true, files.disk(), false).withNic(spec.nic() != null);
        }
    }

    /** @param tscKhz the host TSC frequency for a TCG guest (see AccelProbe.tscKhz), 0 when unknown */
    static List<String> build(QemuConfig config, Accelerator accel, long tscKhz, VmSpec spec, VmFiles files) {
        return build(config, accel, tscKhz, spec, files, Boot.cold(config, files, spec));
    }

    static List<String> build(QemuConfig config, Accelerator accel, long tscKhz, VmSpec spec, VmFiles files, Boot boot) {
        validate(spec);
        Arch arch = spec.arch();
        if (arch != Arch.host()) accel = Accelerator.TCG; // KVM runs only the host's own architecture
        List<String> c = new ArrayList<>();
        c.add(arch.qemuBinary(config.qemuBinary()));
        add(c, "-name", "ember-" + opt(spec.vmId()));
        String memoryBackend = boot.backend() ? ",memory-backend=mem" : "";
        if (arch == Arch.ARM64)
            // GICv3: KVM on arm64 servers has no GICv2 emulation, and TCG has both: one machine for either accelerator.
            add(c, "-M", "virt,gic-version=3" + memoryBackend);
        else
            add(c, "-M", "microvm,x-option-roms=off,rtc=on,isa-serial=on" + memoryBackend);
        if (accel == Accelerator.KVM) {
            add(c, "-accel", "kvm");
            add(c, "-cpu", "host");
        } else {
            // TCG's translation cache defaults to 1 GiB here (an eighth of the host's RAM, at most 1 GiB), touched as
            // code is translated: it would outgrow the VM's memory cgroup (RAM + 384 MiB) and get QEMU killed.
            add(c, "-accel", "tcg,tb-size=" + TCG_TB_MIB);
            if (arch == Arch.ARM64) add(c, "-cpu", ARM64_TCG_CPU);
        }
        add(c, "-m", Integer.toString(spec.memoryMib()));
        if (boot.memory() != null)
            add(c, "-object", "memory-backend-file,id=mem,size=" + spec.memoryMib() + "M,mem-path="
                    + opt(boot.memory().toString()) + ",share=" + (boot.shareMemory() ? "on" : "off"));
        else if (boot.backend())
            add(c, "-object", "memory-backend-ram,id=mem,size=" + spec.memoryMib() + "M");
        add(c, "-smp", Integer.toString(spec.vcpus()));
        c.addAll(List.of("-nodefaults", "-no-user-config", "-no-reboot", "-display", "none"));
        add(c, "-kernel", spec.kernel().toAbsolutePath().toString());
        add(c, "-initrd", spec.initrd().toAbsolutePath().toString());
        // tsc_early_khz: x86 only (arm64 has the architected timer, which tells its own rate)
        add(c, "-append", append(spec, !boot.incoming())
                + (arch == Arch.X86_64 && accel == Accelerator.TCG && tscKhz > 0 ? " tsc_early_khz=" + tscKhz : ""));
        add(c, "-drive", "id=root,file=" + opt(boot.disk().toString()) + ",format=qcow2,if=none,discard=unmap");
        add(c, "-device", "virtio-blk-device,drive=root");
        add(c, "-device", "virtio-serial-device");
        add(c, "-chardev", "socket,id=agent,path=" + opt(files.agent().toString()) + ",server=on,wait=off");
        add(c, "-device", "virtserialport,chardev=agent,name=ember.agent");
        if (boot.nic()) nic(c, spec.nic());
        add(c, "-chardev", "socket,id=qmp,path=" + opt(files.qmp().toString()) + ",server=on,wait=off");
        add(c, "-mon", "chardev=qmp,mode=control");
        // Last chardev, and wait=on: QEMU creates the sockets above, then waits for our console reader
        // before the guest runs, so the console is complete from the first byte.
        add(c, "-chardev", "socket,id=console,path=" + opt(files.console().toString()) + ",server=on,wait=on");
        add(c, "-serial", "chardev:console");
        // No process spawning, no privilege changes, no obsolete syscalls, no resource-control calls: whatever a guest
        // makes QEMU do, the kernel refuses these (seccomp mode 2; docs/jail.md). Snapshots need no exec: migration
        // goes over a Unix socket.
        add(c, "-sandbox", SANDBOX);
        if (config.jail() == null) add(c, "-pidfile", files.pidFile().toString()); // jailed: the jailer writes it
        if (boot.incoming()) add(c, "-incoming", "defer");
        c.addAll(config.extraArgs());
        return c;
    }

    /**
     * The network device. On a tap (the driver made it, owned by the VM's uid; QEMU opens /dev/net/tun itself, no
     * helper script, no vhost), or on a hub port that leads nowhere. vnet_hdr=off on the tap: the device's features
     * then do not depend on the backend (a tap with a vnet header would offer checksum and segmentation offloads, a hub
     * port cannot), so a snapshot taken on a tap restores on either (docs/vmm.md, "Network").
     */
    private static void nic(List<String> c, Nic nic) {
        if (nic != null && nic.attached())
            add(c, "-netdev", "tap,id=net0,ifname=" + opt(nic.tap()) + ",script=no,downscript=no,vhost=off,vnet_hdr=off");
        else
            add(c, "-netdev", "hubport,id=net0,hubid=0");
        add(c, "-device", "virtio-net-device,netdev=net0,mac=" + (nic == null ? DETACHED_MAC : nic.guest().mac()));
    }

    /** @param netWord with the guest's address (a cold boot; a restored guest learns it from RESTORED) */
    static String append(VmSpec spec, boolean netWord) {
        StringBuilder b = new StringBuilder(BASE_APPEND.replace("ttyS0", spec.arch().console()))
                .append(" ember.hostname=").append(spec.hostname());
        if (netWord && spec.nic() != null) b.append(" ember.net=").append(spec.nic().guest().word());
        for (String w : spec.kernelArgs()) b.append(' ').append(w);
        return b.toString();
    }

    static void validate(VmSpec spec) {
        if (spec.hostname() == null || !HOSTNAME.matcher(spec.hostname()).matches())
            throw new IllegalArgumentException("invalid hostname '" + spec.hostname() + "' (letters, digits, '-', '.'; at most 64)");
        for (String w : spec.kernelArgs())
            if (!KERNEL_WORD.matcher(w).matches())
                throw new IllegalArgumentException("invalid kernel argument '" + w + "' (printable, no spaces or quotes)");
    }

    /** QEMU option values escape a comma by doubling it. */
    static String opt(String value) {
        return value.replace(",", ",,");
    }

    private static void add(List<String> c, String flag, String value) {
        c.add(flag);
        c.add(value);
    }
}
