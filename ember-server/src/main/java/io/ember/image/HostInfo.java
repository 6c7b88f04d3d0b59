package io.ember.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What builds report about the host (docs/images.md, "Architecture"). */
public final class HostInfo {
    private HostInfo() {}

    public static final String ARCHITECTURE = "X86_64";

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
