package io.ember.testing;

import io.ember.vmm.Snapshot;
import io.ember.vmm.Snapshots;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmDriver;
import io.ember.vmm.VmmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A VMM driver without processes. Its VMs outlive a server (as QEMU does), so a second server
 * with the same driver can adopt them by pid. It snapshots as {@link Snapshots} says: a save writes
 * the files {@link Snapshot#load} checks (manifest last) and ends the VM; a restore of a microVM's own
 * snapshot consumes it (manifest and vmstate deleted), a clone leaves it whole.
 */
public final class FakeDriver implements VmmDriver, Snapshots {
    /** Every fake VM claims the test JVM's pid: a live process, as a running VMM's pid would be. */
    private static final long PID = ProcessHandle.current().pid();
    private final Map<String, FakeVm> byId = new ConcurrentHashMap<>();
    public final List<VmSpec> launched = new CopyOnWriteArrayList<>();
    /** When set, launch throws it. */
    public volatile String launchFailure;
    /** Launch waits for this latch, interrupt or not (a launch stuck in I/O that does not notice interrupts). */
    public volatile CountDownLatch launchGate = new CountDownLatch(0);
    public final AtomicInteger launching = new AtomicInteger();
    /** Launch makes the work directory when it is missing, as QEMU's driver does. */
    public volatile boolean createsWorkDir;
    /** Counted down when a launch waiting at the gate is interrupted. */
    public final CountDownLatch launchInterrupted = new CountDownLatch(1);

    /** One call of {@link #restorePaused}. */
    public record Restore(VmSpec spec, Snapshot snapshot, boolean privateMemory, FakeVm vm) {}

    /** One completed {@link #save}. */
    public record Save(FakeVm vm, Path dir) {}

    /** How a save fails. */
    public enum SaveFailure {
        /** It succeeds. */
        NONE,
        /** The state cannot be written; the guest goes on running (the VM stays alive). */
        GUEST_GOES_ON,
        /** The VMM dies during the save. */
        VMM_DIES
    }

    public final List<Save> saves = new CopyOnWriteArrayList<>();
    public volatile SaveFailure saveFailure = SaveFailure.NONE;
    public final List<Restore> restores = new CopyOnWriteArrayList<>();
    /** Restores begun (counted before the gate). */
    public final AtomicInteger restoring = new AtomicInteger();
    /** restorePaused waits for this latch (count 0 = at once). */
    public volatile CountDownLatch restoreGate = new CountDownLatch(0);
    /** When set, restorePaused throws it (after the gate, before touching the snapshot). */
    public volatile String restoreFailure;
    public final List<Vm> resumed = new CopyOnWriteArrayList<>();
    /** When set, resume throws it. */
    public volatile String resumeFailure;

    @Override
    public Vm launch(VmSpec spec) throws VmmException {
        launching.incrementAndGet();
        Gates.awaitUninterruptibly(launchGate, launchInterrupted);
        if (launchFailure != null) throw new VmmException(launchFailure);
        if (createsWorkDir) {
            try {
                Files.createDirectories(spec.workDir());
            } catch (java.io.IOException e) {
                throw new VmmException(e.getMessage());
            }
        }
        if (!Files.isDirectory(spec.workDir())) throw new VmmException("work dir missing: " + spec.workDir());
        launched.add(spec);
        FakeVm vm = new FakeVm(spec.vmId(), PID, spec.workDir(), spec);
        byId.put(vm.vmId(), vm);
        return vm;
    }

    @Override
    public Optional<Vm> adopt(VmSpec spec, long pid) {
        FakeVm vm = byId.get(spec.vmId());
        return vm != null && vm.alive() && vm.pid() == pid ? Optional.of(vm) : Optional.empty();
    }

    @Override
    public Snapshot save(Vm vm, Path dir) throws VmmException {
        FakeVm fake = (FakeVm) vm;
        if (!fake.alive()) throw new VmmException("VMM of " + vm.vmId() + " is not running");
        switch (saveFailure) {
            case GUEST_GOES_ON -> throw new VmmException("migration failed: No space left on device");
            case VMM_DIES -> {
                fake.crash(137);
                throw new VmmException("QMP connection closed during the save");
            }
            case NONE -> { }
        }
        VmSpec spec = fake.spec;
        Snapshot snap = writeSnapshot(dir, spec == null ? 1 : spec.vcpus(), spec == null ? 128 : spec.memoryMib());
        fake.endAsRequested("saved");
        saves.add(new Save(fake, dir));
        return snap;
    }

    @Override
    public Vm restorePaused(VmSpec spec, Snapshot snapshot, boolean privateMemory) throws VmmException {
        restoring.incrementAndGet();
        Gates.awaitUninterruptibly(restoreGate, new CountDownLatch(1));
        if (restoreFailure != null) throw new VmmException(restoreFailure);
        if (spec.vcpus() != snapshot.vcpus() || spec.memoryMib() != snapshot.memoryMib()) {
            throw new VmmException("spec " + spec.vcpus() + "/" + spec.memoryMib() + " does not match the snapshot "
                    + snapshot.vcpus() + "/" + snapshot.memoryMib());
        }
        if (!Files.isDirectory(spec.workDir())) throw new VmmException("work dir missing: " + spec.workDir());
        try {
            if (!privateMemory) {
                // The state is loaded: the snapshot's own VM now runs on its files, which it consumes.
                Files.deleteIfExists(snapshot.dir().resolve("snapshot.json"));
                Files.deleteIfExists(snapshot.vmstate());
            } else {
                Files.writeString(spec.workDir().resolve("disk.qcow2"), "overlay over " + snapshot.disk());
            }
        } catch (IOException e) {
            throw new VmmException(e.getMessage(), e);
        }
        FakeVm vm = new FakeVm(spec.vmId(), PID, spec.workDir(), spec);
        vm.paused = true;
        byId.put(vm.vmId(), vm);
        restores.add(new Restore(spec, snapshot, privateMemory, vm));
        return vm;
    }

    @Override
    public void resume(Vm vm) throws VmmException {
        if (resumeFailure != null) throw new VmmException(resumeFailure);
        if (vm instanceof FakeVm fake && fake.paused) {
            fake.paused = false;
            fake.resumedOrder = FakeAgents.ORDER.incrementAndGet();
        }
        resumed.add(vm);
    }

    /** Writes a whole snapshot as {@link #save} does (RAM inside vmstate), the manifest last. */
    public static Snapshot writeSnapshot(Path dir, int vcpus, int memoryMib) throws VmmException {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vmstate"), "device state and RAM");
            if (!Files.exists(dir.resolve("disk.qcow2"))) Files.writeString(dir.resolve("disk.qcow2"), "overlay");
            Path tmp = dir.resolve("snapshot.json.tmp");
            Files.writeString(tmp, "{\"vcpus\":" + vcpus + ",\"memoryMib\":" + memoryMib + ",\"memoryInFile\":false}");
            Files.move(tmp, dir.resolve("snapshot.json"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new VmmException(e.getMessage(), e);
        }
        return Snapshot.load(dir);
    }

    /** The latest VM of the microVM (a resume replaces it). */
    public FakeVm vm(String id) {
        return java.util.Objects.requireNonNull(byId.get(id), id);
    }

    public Path workDir(String id) {
        return launched.stream().filter(s -> s.vmId().equals(id)).findFirst().orElseThrow().workDir();
    }
}
