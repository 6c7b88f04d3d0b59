package io.ember.vmm;

import java.util.Optional;

/** Starts and finds virtual machines. Knows QEMU (or later Firecracker), nothing about tenants or the API. */
public interface VmmDriver {

    /** Boots a machine cold from {@code spec}. Returns once the VMM process runs and its sockets exist. */
    Vm launch(VmSpec spec) throws VmmException;

    /**
     * Re-attaches to a machine started by an earlier server process, after a restart.
     * Empty when the process {@code pid} is gone or is not the VMM of {@code spec} (pid reused).
     */
    Optional<Vm> adopt(VmSpec spec, long pid);

    /**
     * Re-attaches to a machine whose pid was never recorded (the server crashed between starting
     * the VMM and writing its pid down), finding it through what the driver leaves in the work
     * directory. Empty when there is none, or it is gone.
     */
    default Optional<Vm> adopt(VmSpec spec) {
        return Optional.empty();
    }
}
