package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.GuestNet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
    static VmSpec spec(String hostname, List<String> args) {
        return new VmSpec("mvm-1", Path.of("/var/lib/ember/vms/mvm-1"), Path.of("/a/vmlinux"), Path.of("/a/initrd.gz"),
                Path.of("/a/rootfs.ext4"), 2, 256, hostname, args);
    }

    private static String after(List<String> cmd, String flag) {
        return cmd.get(cmd.indexOf(flag) + 1);
    }

    @Test
    void build_describesAMicrovmWithItsSocketsAndDisk() {
        VmSpec s = spec("mvm-1", List.of("ember.debug=1"));
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, s, new VmFiles(s.workDir()));
        assertThat(c.getFirst()).isEqualTo("qemu-system-x86_64");
        assertThat(after(c, "-M")).startsWith("microvm,");
        assertThat(after(c, "-accel")).isEqualTo("tcg,tb-size=256");
        assertThat(after(c, "-sandbox")).isEqualTo("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        assertThat(c).doesNotContain("-cpu").contains("-nodefaults", "-no-user-config", "-no-reboot");
        assertThat(after(c, "-m")).isEqualTo("256");
        assertThat(after(c, "-smp")).isEqualTo("2");
        assertThat(after(c, "-append"))
                .isEqualTo("console=ttyS0 reboot=k panic=-1 quiet rdinit=/init ember.hostname=mvm-1 ember.debug=1");
        assertThat(c).contains("id=root,file=/var/lib/ember/vms/mvm-1/disk.qcow2,format=qcow2,if=none,discard=unmap",
                "virtio-blk-device,drive=root", "virtserialport,chardev=agent,name=ember.agent",
                "socket,id=agent,path=/var/lib/ember/vms/mvm-1/agent.sock,server=on,wait=off",
                "socket,id=qmp,path=/var/lib/ember/vms/mvm-1/qmp.sock,server=on,wait=off",
                "socket,id=console,path=/var/lib/ember/vms/mvm-1/console.sock,server=on,wait=on", "chardev:console");
        assertThat(after(c, "-pidfile")).isEqualTo("/var/lib/ember/vms/mvm-1/qemu.pid");
    }

    @Test
    void build_usesKvmWithTheHostCpuAndAppendsExtraArgs() {
        VmSpec s = spec("h", List.of());
        var cfg = new QemuConfig("/opt/qemu", "qemu-img", Accelerator.KVM, List.of("-d", "guest_errors"));
        List<String> c = QemuCommand.build(cfg, Accelerator.KVM, 2_596_136, s, new VmFiles(s.workDir()));
        assertThat(c.getFirst()).isEqualTo("/opt/qemu");
        assertThat(after(c, "-accel")).isEqualTo("kvm");
        assertThat(after(c, "-cpu")).isEqualTo("host");
        assertThat(after(c, "-append")).doesNotContain("tsc_early_khz"); // KVM guests get the TSC rate from KVM
        assertThat(c.subList(c.size() - 2, c.size())).containsExactly("-d", "guest_errors");
    }

    @Test
    void build_arm64_usesQemuSystemAarch64OnVirt_withTheArchitecturesConsole_andTcgOffTheSameHostArch() {
        VmSpec s = spec("arm", List.of()).withArch(Arch.ARM64);
        var cfg = new QemuConfig("/opt/bin/qemu-system-x86_64", "qemu-img", Accelerator.KVM, List.of());
        boolean native_ = Arch.host() == Arch.ARM64;
        List<String> c = QemuCommand.build(cfg.withFileBackedMemory(true), native_ ? Accelerator.KVM : Accelerator.TCG,
                2_596_136, s, new VmFiles(s.workDir()));
        assertThat(c.getFirst()).isEqualTo("/opt/bin/qemu-system-aarch64");
        assertThat(after(c, "-M")).isEqualTo("virt,gic-version=3,memory-backend=mem");
        assertThat(after(c, "-append")).startsWith("console=ttyAMA0 ").doesNotContain("tsc_early_khz", "ttyS0");
        assertThat(after(c, "-cpu")).isEqualTo(native_ ? "host" : "cortex-a72");
        // KVM asked for on an x86-64 host: an arm64 guest still gets TCG (KVM runs only the host's own architecture)
        if (!native_) {
            List<String> k = QemuCommand.build(cfg, Accelerator.KVM, 0, s, new VmFiles(s.workDir()));
            assertThat(after(k, "-accel")).isEqualTo("tcg,tb-size=256");
            assertThat(after(k, "-cpu")).isEqualTo("cortex-a72");
        }
        assertThat(Arch.ARM64.qemuBinary("qemu-system-aarch64")).isEqualTo("qemu-system-aarch64");
        assertThat(Arch.X86_64.qemuBinary("/usr/bin/qemu-system-aarch64")).isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(Arch.ARM64.qemuBinary("/opt/my-qemu")).isEqualTo("/opt/my-qemu");
        assertThatThrownBy(() -> spec("x", List.of()).withArch(null)).isInstanceOf(IllegalArgumentException.class);
    }

    static final GuestNet NET = new GuestNet("10.250.0.6", 30, "10.250.0.5", "169.254.169.253", "02:eb:00:00:00:07");

    @Test
    void build_addsATapNicAndTheAgentsWord_onlyWhenAsked() {
        VmSpec off = spec("h", List.of("ember.debug=1"));
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, off, new VmFiles(off.workDir()));
        assertThat(c).doesNotContain("-netdev").noneMatch(a -> a.contains("virtio-net"));
        assertThat(after(c, "-append")).doesNotContain("ember.net");

        VmSpec on = off.withNic(new Nic(Path.of("/run/netns/ember-mvm-1"), "tap0", "10.250.0.5/30", NET));
        c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, on, new VmFiles(on.workDir()));
        assertThat(after(c, "-netdev")).isEqualTo("tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off,vnet_hdr=off");
        assertThat(c).contains("virtio-net-device,netdev=net0,mac=02:eb:00:00:00:07").noneMatch(a -> a.startsWith("user,"));
        assertThat(after(c, "-append"))
                .isEqualTo("console=ttyS0 reboot=k panic=-1 quiet rdinit=/init ember.hostname=h "
                        + "ember.net=10.250.0.6/30,10.250.0.5,169.254.169.253 ember.debug=1");
    }

    @Test
    void build_putsADetachedNicOnAHubPortThatLeadsNowhere() {
        VmSpec s = spec("h", List.of()).withNic(Nic.detached(NET));
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, s, new VmFiles(s.workDir()));
        assertThat(after(c, "-netdev")).isEqualTo("hubport,id=net0,hubid=0");
        assertThat(c).contains("virtio-net-device,netdev=net0,mac=02:eb:00:00:00:07");
        assertThat(after(c, "-append")).contains("ember.net=10.250.0.6/30,10.250.0.5,169.254.169.253");
    }

    @Test
    void build_restoreHasANicIffTheSnapshotHadOne_andNoAddressWord() {
        VmSpec s = spec("h", List.of()).withNic(new Nic(Path.of("/run/netns/n"), "tap0", "10.250.0.5/30", NET));
        VmFiles f = new VmFiles(s.workDir());
        var boot = new QemuCommand.Boot(null, true, f.disk(), true);
        assertThat(QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, s, f, boot)).doesNotContain("-netdev");
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, s, f, boot.withNic(true));
        assertThat(after(c, "-netdev")).startsWith("tap,id=net0,ifname=tap0,");
        assertThat(after(c, "-append")).doesNotContain("ember.net"); // a restored guest learns it from RESTORED
        VmSpec none = spec("h", List.of());
        c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, none, f, boot.withNic(true));
        assertThat(after(c, "-netdev")).isEqualTo("hubport,id=net0,hubid=0");
        assertThat(c).contains("virtio-net-device,netdev=net0,mac=" + QemuCommand.DETACHED_MAC);
    }

    @Test
    void nicAndGuestNet_refuseWhatCouldInjectOrMisconfigure() {
        Path ns = Path.of("/run/netns/n");
        for (String bad : new String[] {"", "tap0,x=y", "a b", "x".repeat(16), "..", "tap/0"})
            assertThatThrownBy(() -> new Nic(ns, bad, "10.0.0.1/30", NET)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tap");
        for (String bad : new String[] {"10.0.0.1", "10.0.0.1/32", "10.0.0.1/0", "10.0.0.1/30,x", "::1/64"})
            assertThatThrownBy(() -> new Nic(ns, "t", bad, NET)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gatewayCidr");
        assertThatThrownBy(() -> new Nic(ns, "t", "10.0.0.1/30",
                new GuestNet("10.0.0.2", 30, "10.0.0.1", "10.0.0.1", Taps.GATEWAY_MAC))).hasMessageContaining("host end");
        assertThatThrownBy(() -> new Nic(Path.of("run/netns/n"), "t", "10.0.0.1/30", NET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> new GuestNet("10.0.0.256", 30, "10.0.0.1", "10.0.0.1", "02:00:00:00:00:01"))
                .hasMessageContaining("address");
        assertThatThrownBy(() -> new GuestNet("10.0.0.2", 32, "10.0.0.1", "10.0.0.1", "02:00:00:00:00:01"))
                .hasMessageContaining("prefix");
        for (String mac : new String[] {"01:00:00:00:00:01", "02:00:00:00:00", "02:EB:00:00:00:01", "02-00-00-00-00-01",
                "00:00:00:00:00:00", "02:00:00:00:00:01,x"})
            assertThatThrownBy(() -> new GuestNet("10.0.0.2", 30, "10.0.0.1", "10.0.0.1", mac)).as(mac)
                    .hasMessageContaining("mac");
        assertThat(new GuestNet("10.0.0.2", 30, "10.0.0.1", "169.254.169.253", "02:eb:0a:00:00:02").word())
                .isEqualTo("10.0.0.2/30,10.0.0.1,169.254.169.253");
    }

    @Test
    void taps_oneIpBatch_inANamedNamespaceOrThroughNsenter() {
        assertThat(Taps.ipCommand(Path.of("/run/netns/ember-x"))).containsExactly("ip", "-n", "ember-x");
        assertThat(Taps.ipCommand(Path.of("/proc/42/ns/net"))).containsExactly("nsenter", "--net=/proc/42/ns/net", "--", "ip");
        assertThat(Taps.onlyAbsentBeforeDelete("Cannot find device \"tap0\"\nCommand failed -:1")).isTrue();
        assertThat(Taps.onlyAbsentBeforeDelete("Cannot find device \"tap0\"\nCommand failed -:1\n"
                + "ioctl(TUNSETIFF): Device or resource busy\nCommand failed -:2")).isFalse();
        assertThat(Taps.onlyAbsentBeforeDelete("RTNETLINK answers: Operation not permitted\nCommand failed -:1")).isFalse();
    }

    @Test
    void build_givesTcgGuestsTheHostTscRateWhenKnown() {
        VmSpec s = spec("h", List.of());
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 2_596_136, s, new VmFiles(s.workDir()));
        assertThat(after(c, "-append")).endsWith("ember.hostname=h tsc_early_khz=2596136");
    }

    @Test
    void build_escapesCommasInOptionValues() {
        VmSpec s = new VmSpec("a,b", Path.of("/tmp/x,y"), Path.of("/k"), Path.of("/i"), Path.of("/d"), 1, 64, "h", List.of());
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, s, new VmFiles(s.workDir()));
        assertThat(after(c, "-name")).isEqualTo("ember-a,,b");
        assertThat(after(c, "-drive")).startsWith("id=root,file=/tmp/x,,y/disk.qcow2,");
        assertThat(after(c, "-pidfile")).isEqualTo("/tmp/x,y/qemu.pid"); // a plain path, not an option list
    }

    @Test
    void validate_refusesHostnamesAndKernelWordsThatCouldInjectArguments() {
        for (String bad : new String[] {"", "a b", "-a", "a-", "x".repeat(65), "a;reboot", "a\nb", "é"}) {
            assertThatThrownBy(() -> QemuCommand.validate(spec(bad, List.of()))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostname");
        }
        for (String ok : new String[] {"a", "mvm-0123abc", "a.b-c.d", "x".repeat(63)}) QemuCommand.validate(spec(ok, List.of()));
        for (String bad : new String[] {"a b", "", "x=\"y\"", "a\tb"}) {
            assertThatThrownBy(() -> QemuCommand.validate(spec("h", List.of(bad)))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kernel argument");
        }
    }
}
