package io.ember.vmm;

import java.nio.file.Path;

/**
 * Saves a running machine to disk and starts machines from such a save (docs/vmm.md, "Snapshots").
 * A snapshot is a directory: the device state ({@code vmstate}), the guest RAM ({@code mem.ram},
 * unless the RAM is inside {@code vmstate}), the disk overlay ({@code disk.qcow2}) and a manifest.
 */
public interface Snapshots {

    /**
     * Stops the guest, writes its state into {@code dir}, makes it durable and ends the VMM process
     * (its {@link Vm#exited()} completes as requested). When {@code dir} is not the VM's work directory,
     * the RAM file and disk overlay are moved there (same file system). Keep the agent client connected
     * and idle (no request in flight) during the save: the guest then stays "host connected" in the snapshot
     * and a client connected to the restored VM before {@link #resume} finds it ready (docs/vmm.md). That
     * client breaks (channel closed) when the VMM ends; close it afterwards.
     * When the state cannot be written the guest goes on running ({@code cont}) and the exception says why.
     */
    Snapshot save(Vm vm, Path dir) throws VmmException;

    /**
     * Starts a VMM from {@code snapshot} and lets the guest go on from where it was saved.
     *
     * @param spec the machine: vcpus and memory must be the snapshot's; {@code workDir} gets the sockets and logs
     * @param privateMemory false: resume the snapshot's own VM (its RAM file and disk are used and written in place,
     *     so the snapshot is consumed: its manifest and state file are deleted once the state is loaded);
     *     true: a clone (RAM mapped copy-on-write, a new disk overlay in {@code workDir} over the snapshot's disk;
     *     the snapshot is never written, so any number of clones can start from it)
     */
    default Vm restore(VmSpec spec, Snapshot snapshot, boolean privateMemory) throws VmmException {
        Vm vm = restorePaused(spec, snapshot, privateMemory);
        try {
            resume(vm);
        } catch (VmmException | RuntimeException e) {
            vm.terminate(java.time.Duration.ofSeconds(1));
            throw e;
        }
        return vm;
    }

    /**
     * Like {@link #restore} but the guest stays paused, its state loaded: connect the agent client to
     * {@link Vm#agentSocket()} now, then {@link #resume}. The guest then never sees its host go away and come
     * back, which it could otherwise mistake the first request for stale bytes of (docs/vmm.md, "Snapshots").
     */
    Vm restorePaused(VmSpec spec, Snapshot snapshot, boolean privateMemory) throws VmmException;

    /** Lets a machine from {@link #restorePaused} run. */
    void resume(Vm vm) throws VmmException;
}
