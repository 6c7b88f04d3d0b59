package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccelProbeTest {
    @TempDir
    Path dir;

    private Path cpuinfo(String flags) throws Exception {
        return Files.writeString(dir.resolve("cpuinfo-" + flags.hashCode()),
                "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: " + flags + "\n\nprocessor\t: 1\nflags\t\t: " + flags + "\n");
    }

    private Path openableDevice() throws Exception {
        return Files.writeString(dir.resolve("kvm"), "");
    }

    @Test
    void explicitConfigurationWins() throws Exception {
        Path bare = cpuinfo("fpu vme svm");
        assertThat(AccelProbe.resolve(Accelerator.TCG, "kvm", openableDevice(), bare)).isEqualTo(Accelerator.TCG);
        assertThat(AccelProbe.resolve(Accelerator.KVM, "tcg", dir.resolve("none"), bare)).isEqualTo(Accelerator.KVM);
    }

    @Test
    void environmentDecidesAuto() throws Exception {
        Path nested = cpuinfo("fpu hypervisor svm");
        assertThat(AccelProbe.resolve(Accelerator.AUTO, "KVM", dir.resolve("none"), nested)).isEqualTo(Accelerator.KVM);
        assertThat(AccelProbe.resolve(Accelerator.AUTO, "tcg", openableDevice(), cpuinfo("fpu svm"))).isEqualTo(Accelerator.TCG);
        assertThatThrownBy(() -> AccelProbe.resolve(Accelerator.AUTO, "fast", dir.resolve("none"), nested))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EMBER_ACCEL");
    }

    @Test
    void probe_wantsAnOpenableDeviceOnBareMetal() throws Exception {
        Path kvm = openableDevice();
        assertThat(AccelProbe.resolve(Accelerator.AUTO, null, kvm, cpuinfo("fpu vme svm"))).isEqualTo(Accelerator.KVM);
        assertThat(AccelProbe.resolve(Accelerator.AUTO, "auto", kvm, cpuinfo("fpu hypervisor svm"))).isEqualTo(Accelerator.TCG);
        assertThat(AccelProbe.resolve(Accelerator.AUTO, "", dir.resolve("none"), cpuinfo("fpu svm"))).isEqualTo(Accelerator.TCG);
        assertThat(AccelProbe.resolve(Accelerator.AUTO, null, kvm, dir.resolve("no-cpuinfo"))).isEqualTo(Accelerator.TCG);
        // a flag that merely contains the word is not the flag
        assertThat(AccelProbe.nested(cpuinfo("fpu xhypervisor"))).isFalse();
    }

    @Test
    void tscKhz_isTrustedOnlyWhereTheHostKnowsIt() throws Exception {
        String mhz = "processor\t: 0\ncpu MHz\t\t: 2596.136\nflags\t\t: fpu %s\n";
        Path guestHost = Files.writeString(dir.resolve("a"), mhz.formatted("constant_tsc hypervisor"));
        Path knownFreq = Files.writeString(dir.resolve("b"), mhz.formatted("constant_tsc tsc_known_freq"));
        Path bareMetal = Files.writeString(dir.resolve("c"), mhz.formatted("constant_tsc nonstop_tsc"));
        assertThat(AccelProbe.tscKhz(guestHost)).isEqualTo(2_596_136);
        assertThat(AccelProbe.tscKhz(knownFreq)).isEqualTo(2_596_136);
        assertThat(AccelProbe.tscKhz(bareMetal)).isZero();
        assertThat(AccelProbe.tscKhz(dir.resolve("missing"))).isZero();
    }

    @Test
    void thisHost_isNestedSoAutoMeansTcg() {
        // The brief for these machines: KVM cannot run Linux guests here; the hypervisor flag says so.
        assertThat(new QemuDriver(QemuConfig.defaults()).resolve()).isEqualTo(
                System.getenv("EMBER_ACCEL") == null ? Accelerator.TCG : AccelProbe.resolve(Accelerator.AUTO,
                        System.getenv("EMBER_ACCEL"), Path.of("/dev/kvm"), Path.of("/proc/cpuinfo")));
    }
}
