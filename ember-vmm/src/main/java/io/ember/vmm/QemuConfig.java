package io.ember.vmm;

import java.util.List;
import java.util.Objects;

/**
 * How to run QEMU.
 *
 * @param qemuBinary {@code qemu-system-x86_64} (looked up in PATH) or a path to it
 * @param qemuImg {@code qemu-img} or a path to it (creates the per-VM disk overlay)
 * @param accelerator AUTO probes (see {@link QemuDriver#resolve()}); KVM or TCG force it
 * @param extraArgs appended to every QEMU command line (debugging aids, site tweaks)
 */
public record QemuConfig(String qemuBinary, String qemuImg, Accelerator accelerator, List<String> extraArgs) {

    public QemuConfig {
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(qemuImg, "qemuImg");
        Objects.requireNonNull(accelerator, "accelerator");
        extraArgs = List.copyOf(extraArgs == null ? List.of() : extraArgs);
    }

    public static QemuConfig of(String qemuBinary, Accelerator accelerator) {
        return new QemuConfig(qemuBinary, "qemu-img", accelerator, List.of());
    }

    public static QemuConfig defaults() {
        return of("qemu-system-x86_64", Accelerator.AUTO);
    }
}
