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
    /** QEMU user-mode NAT's fixed plan: guest address, gateway (the host), DNS proxy (docs/vmm.md, "Build network"). */
    /** TCG translation cache, MiB: bounded so a VMM fits its memory cgroup (docs/jail.md). */
    static final int TCG_TB_MIB = 256;
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";
    static final String NET_WORD = "ember.net=10.0.2.15/24,10.0.2.2,10.0.2.3";

    private QemuCommand() {}

    /**
     * Where a launch takes its RAM and disk from.
     *
     * @param memory the RAM file, or null for anonymous RAM
     * @param shareMemory map the RAM file shared (writes reach the file) or private (copy-on-write, file untouched)
     * @param incoming start paused, waiting for {@code migrate-incoming} (a restore)
     * @param backend the RAM is a backend object {@code mem}: a file when {@code memory} is set, else anonymous
     *     ({@code memory-backend-ram}, for restoring a saved VM whose RAM was a backend)
     */
    record Boot(Path memory, boolean shareMemory, Path disk, boolean incoming, boolean backend) {
        Boot {
            if (memory != null) backend = true;
        }

        Boot(Path memory, boolean shareMemory, Path disk, boolean incoming) {
            this(memory, shareMemory, disk, incoming, memory != null);
        }

        static Boot cold(QemuConfig config, VmFiles files) {
            return new Boot(config.fileBackedMemory() ? files.memory() : null, true, files.disk(), false);
        }
    }

    /** @param tscKhz the host TSC frequency for a TCG guest (see AccelProbe.tscKhz), 0 when unknown */
    static List<String> build(QemuConfig config, Accelerator accel, long tscKhz, VmSpec spec, VmFiles files) {
        return build(config, accel, tscKhz, spec, files, Boot.cold(config, files));
    }

    static List<String> build(QemuConfig config, Accelerator accel, long tscKhz, VmSpec spec, VmFiles files, Boot boot) {
        validate(spec);
        List<String> c = new ArrayList<>();
        c.add(config.qemuBinary());
        add(c, "-name", "ember-" + opt(spec.vmId()));
        add(c, "-M", "microvm,x-option-roms=off,rtc=on,isa-serial=on" + (boot.backend() ? ",memory-backend=mem" : ""));
        if (accel == Accelerator.KVM) {
            add(c, "-accel", "kvm");
            add(c, "-cpu", "host");
        } else {
            // TCG's translation cache defaults to 1 GiB here (an eighth of the host's RAM, at most 1 GiB), touched as
            // code is translated: it would outgrow the VM's memory cgroup (RAM + 384 MiB) and get QEMU killed.
            add(c, "-accel", "tcg,tb-size=" + TCG_TB_MIB);
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
        add(c, "-append", append(spec) + (accel == Accelerator.TCG && tscKhz > 0 ? " tsc_early_khz=" + tscKhz : ""));
        add(c, "-drive", "id=root,file=" + opt(boot.disk().toString()) + ",format=qcow2,if=none,discard=unmap");
        add(c, "-device", "virtio-blk-device,drive=root");
        add(c, "-device", "virtio-serial-device");
        add(c, "-chardev", "socket,id=agent,path=" + opt(files.agent().toString()) + ",server=on,wait=off");
        add(c, "-device", "virtserialport,chardev=agent,name=ember.agent");
        if (spec.network()) {
            // IPv4 only: the agent configures one address. restrict=on would cut the Internet too, and
            // QEMU 7.2 has no switch to keep the guest off the host's loopback via 10.0.2.2 (docs/vmm.md).
            add(c, "-netdev", "user,id=net0,ipv6=off,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3");
            add(c, "-device", "virtio-net-device,netdev=net0");
        }
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

    static String append(VmSpec spec) {
        StringBuilder b = new StringBuilder(BASE_APPEND).append(" ember.hostname=").append(spec.hostname());
        if (spec.network()) b.append(' ').append(NET_WORD);
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
