package io.ember.vmm;

/**
 * A guest's CPU architecture. Each has its QEMU binary, machine and console; a guest of the host's own architecture
 * may use KVM, any other runs under TCG (docs/vmm.md, "Architectures").
 */
public enum Arch {
    /** {@code qemu-system-x86_64 -M microvm}, console {@code ttyS0}. */
    X86_64("x86_64", "ttyS0"),
    /** {@code qemu-system-aarch64 -M virt}, console {@code ttyAMA0} (the PL011 UART). */
    ARM64("aarch64", "ttyAMA0");

    private final String qemuName;
    private final String console;

    Arch(String qemuName, String console) {
        this.qemuName = qemuName;
        this.console = console;
    }

    /** The architecture's name in QEMU ({@code qemu-system-NAME}, QMP {@code query-target}) and in {@code uname -m}. */
    public String qemuName() {
        return qemuName;
    }

    String console() {
        return console;
    }

    /** The architecture this JVM runs on, or null when it is neither. */
    public static Arch host() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> ARM64;
            default -> null;
        };
    }

    /** By QEMU's name ({@code x86_64}, {@code aarch64}); null for another. */
    static Arch ofQemuName(String name) {
        for (Arch a : values()) if (a.qemuName.equals(name)) return a;
        return null;
    }

    /**
     * The QEMU binary for this architecture given the configured one (the host's): {@code qemu-system-x86_64} becomes
     * {@code qemu-system-aarch64} in the same place, and the other way round; any other name is used as it is.
     */
    String qemuBinary(String configured) {
        for (Arch a : values()) {
            String name = "qemu-system-" + a.qemuName;
            if (configured.endsWith(name))
                return configured.substring(0, configured.length() - name.length()) + "qemu-system-" + qemuName;
        }
        return configured;
    }
}
