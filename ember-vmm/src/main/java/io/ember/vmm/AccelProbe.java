package io.ember.vmm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Which accelerator AUTO means on this host. The rule, in order:
 * <ol>
 *   <li>an explicit KVM or TCG in the configuration wins;</li>
 *   <li>else the environment variable EMBER_ACCEL ({@code kvm}, {@code tcg}; {@code auto} or unset: go on);</li>
 *   <li>else KVM when /dev/kvm opens read-write AND the CPU does not carry the {@code hypervisor}
 *       flag in /proc/cpuinfo; TCG otherwise.</li>
 * </ol>
 * Why the hypervisor flag: nested KVM often exists and even runs tiny programs, but on the hosts
 * we measured, a Linux guest under nested KVM crawled (still decompressing after 60 s) and
 * {@code -cpu host} aborted. A nested host that does run nested KVM well says so with EMBER_ACCEL=kvm.
 */
final class AccelProbe {
    private AccelProbe() {}

    static Accelerator resolve(Accelerator configured, String env, Path kvmDevice, Path cpuinfo) {
        if (configured != Accelerator.AUTO) return configured;
        if (env != null && !env.isBlank()) {
            switch (env.trim().toLowerCase(Locale.ROOT)) {
                case "kvm" -> { return Accelerator.KVM; }
                case "tcg" -> { return Accelerator.TCG; }
                case "auto" -> { }
                default -> throw new IllegalArgumentException("EMBER_ACCEL must be auto, kvm or tcg, not '" + env + "'");
            }
        }
        return kvmOpens(kvmDevice) && !nested(cpuinfo) ? Accelerator.KVM : Accelerator.TCG;
    }

    /**
     * The host TSC frequency in kHz when the host knows it exactly, else 0. Under TCG the guest's
     * TSC is the host's, and a guest kernel that calibrates it against the emulated PIT fails
     * when the host is busy ("tsc: Unable to calibrate against PIT"); microvm has no HPET or PM
     * timer to fall back on and the boot then hangs waiting for a jiffy that never comes. Passing
     * {@code tsc_early_khz} skips that calibration. Trusted only where the host kernel itself got
     * the frequency from the CPU or its hypervisor (flag tsc_known_freq, or a guest host with
     * constant_tsc): on bare metal "cpu MHz" is the current clock, not the TSC's.
     */
    static long tscKhz(Path cpuinfo) {
        try {
            List<String> lines = Files.readAllLines(cpuinfo);
            String flags = lines.stream().filter(l -> l.startsWith("flags")).findFirst().map(l -> " " + l + " ").orElse("");
            boolean known = flags.contains(" tsc_known_freq ")
                    || (flags.contains(" hypervisor ") && flags.contains(" constant_tsc "));
            if (!known) return 0;
            return lines.stream().filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> Math.round(Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()) * 1000)).orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static boolean kvmOpens(Path device) {
        try (FileChannel ignored = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** True when /proc/cpuinfo's flags include {@code hypervisor}: this host is itself a guest. */
    static boolean nested(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags"))
                    .anyMatch(l -> (" " + l.substring(l.indexOf(':') + 1) + " ").contains(" hypervisor "));
        } catch (IOException | RuntimeException e) {
            return true; // unknown: do not bet on KVM
        }
    }
}
