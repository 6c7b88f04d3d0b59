package io.ember.vmm;

import io.ember.jail.Jail;
import java.util.List;
import java.util.Objects;

/**
 * How to run QEMU.
 *
 * @param qemuBinary {@code qemu-system-x86_64} (looked up in PATH) or a path to it
 * @param qemuImg {@code qemu-img} or a path to it (creates the per-VM disk overlay)
 * @param accelerator AUTO probes (see {@link QemuDriver#resolve()}); KVM or TCG force it
 * @param extraArgs appended to every QEMU command line (debugging aids, site tweaks)
 * @param fileBackedMemory guest RAM in {@code <workDir>/mem.ram}, mapped shared: {@link Snapshots#save} then
 *     leaves the RAM out of the saved state, and clones can map it privately (templates of image snapshots).
 *     False (the default) gives anonymous RAM: boots faster, writes nothing to disk while running, and a save
 *     copies the RAM into the state file (docs/vmm.md, "Snapshots", has the figures)
 * @param jail starts every QEMU jailed (docs/jail.md); null runs QEMU as the server's own user, unconfined
 */
public record QemuConfig(String qemuBinary, String qemuImg, Accelerator accelerator, List<String> extraArgs,
        boolean fileBackedMemory, Jail jail) {

    public QemuConfig {
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(qemuImg, "qemuImg");
        Objects.requireNonNull(accelerator, "accelerator");
        extraArgs = List.copyOf(extraArgs == null ? List.of() : extraArgs);
    }

    /** Anonymous guest RAM (the default), no jail. */
    public QemuConfig(String qemuBinary, String qemuImg, Accelerator accelerator, List<String> extraArgs) {
        this(qemuBinary, qemuImg, accelerator, extraArgs, false, null);
    }

    public QemuConfig withFileBackedMemory(boolean on) {
        return new QemuConfig(qemuBinary, qemuImg, accelerator, extraArgs, on, jail);
    }

    public QemuConfig withJail(Jail jail) {
        return new QemuConfig(qemuBinary, qemuImg, accelerator, extraArgs, fileBackedMemory, jail);
    }

    public static QemuConfig of(String qemuBinary, Accelerator accelerator) {
        return new QemuConfig(qemuBinary, "qemu-img", accelerator, List.of());
    }

    public static QemuConfig defaults() {
        return of("qemu-system-x86_64", Accelerator.AUTO);
    }
}
