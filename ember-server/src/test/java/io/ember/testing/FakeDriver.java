package io.ember.testing;

import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmDriver;
import io.ember.vmm.VmmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A VMM driver without processes. Its VMs outlive a server (as QEMU does), so a second server
 * with the same driver can adopt them by pid.
 */
public final class FakeDriver implements VmmDriver {
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
        FakeVm vm = new FakeVm(spec.vmId(), PID, spec.workDir());
        byId.put(vm.vmId(), vm);
        return vm;
    }

    @Override
    public Optional<Vm> adopt(VmSpec spec, long pid) {
        FakeVm vm = byId.get(spec.vmId());
        return vm != null && vm.alive() && vm.pid() == pid ? Optional.of(vm) : Optional.empty();
    }

    public FakeVm vm(String id) {
        return java.util.Objects.requireNonNull(byId.get(id), id);
    }

    public Path workDir(String id) {
        return launched.stream().filter(s -> s.vmId().equals(id)).findFirst().orElseThrow().workDir();
    }
}
