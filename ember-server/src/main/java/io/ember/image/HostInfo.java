package io.ember.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.ember.vmm.Arch;

/** What builds report about the host (docs/images.md, "Architecture"). */
public final class HostInfo {
    private HostInfo() {}

    /**
     * The API's name of an architecture: {@code ARM_64} (AWS's one value) and {@code X86_64} (Ember's extension, the
     * host's own here).
     */
    public static String apiName(Arch a) {
        return a == Arch.ARM64 ? "ARM_64" : "X86_64";
    }

    /** By its API name; null for any other. */
    public static Arch parseArchitecture(String apiName) {
        return switch (apiName) {
            case "ARM_64" -> Arch.ARM64;
            case "X86_64" -> Arch.X86_64;
            default -> null;
        };
    }

    /**
     * What an image version without {@code cpuConfigurations} runs on: the host's own architecture, which KVM can run
     * (AWS's only value is ARM_64; docs/compatibility.md says why Ember differs). x86-64 when the host is neither.
     */
    public static Arch defaultArch() {
        Arch host = Arch.host();
        return host == null ? Arch.X86_64 : host;
    }

    /**
     * The chipset a build of {@code a} reports. ARM_64: GRAVITON, the one value of AWS's enum (clients filter builds
     * by it), whether the guest runs on an arm64 host or emulated; X86_64: the host's CPU vendor.
     */
    public static String chipset(Arch a) {
        return a == Arch.ARM64 ? "GRAVITON" : chipset();
    }

    /** The chipset generation a build of {@code a} reports: an emulated arm64 guest's CPU model, else the host's. */
    public static String chipsetGeneration(Arch a) {
        return a == Arch.ARM64 && Arch.host() != Arch.ARM64 ? "cortex-a72-emulated" : chipsetGeneration();
    }

    /** Total host RAM in MiB (the upper bound of a size's peak memory). */
    public static int memoryMib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
                if (l.startsWith("MemTotal:")) return (int) (Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024);
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 4096;
    }

    /** The CPU vendor: AMD, INTEL or what /proc/cpuinfo's vendor_id says. */
    public static String chipset() {
        String v = cpuinfo("vendor_id");
        return switch (v) {
            case "AuthenticAMD" -> "AMD";
            case "GenuineIntel" -> "INTEL";
            default -> v.isEmpty() ? "UNKNOWN" : v;
        };
    }

    /** The CPU's model name, e.g. "AMD EPYC 7B13". */
    public static String chipsetGeneration() {
        String m = cpuinfo("model name");
        return m.isEmpty() ? "UNKNOWN" : m;
    }

    private static String cpuinfo(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).strip().equals(key)) return l.substring(colon + 1).strip();
            }
        } catch (IOException e) {
            // fall through
        }
        return "";
    }
}
