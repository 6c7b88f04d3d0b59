package io.ember.vmm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running VMM process. Supervised: {@link #exited()} completes as soon as the process dies. */
public interface Vm {

    String vmId();

    long pid();

    /** Host end of the guest agent's virtio-serial port (a Unix socket QEMU listens on). */
    Path agentSocket();

    /** The guest console, bounded in size (older output is rotated away). */
    Path consoleLog();

    /** Completes when the VMM process has ended, for whatever cause. */
    CompletableFuture<VmExit> exited();

    /** Stops the machine: polite quit over QMP, then SIGKILL after {@code grace}. Waits for the process to end. */
    void terminate(Duration grace);
}
