package io.ember.microvm;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.GuestAgent;
import io.ember.egress.EgressPolicy;
import io.ember.hooks.Hooks;
import io.ember.network.VmNetwork;
import io.ember.store.LaunchRecord;
import io.ember.store.MicrovmRecord;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmmException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At server start, makes the store and the host agree: every microVM the store says is live is
 * re-attached (adopt the VMM process by pid, reconnect the agent, HELLO) or marked TERMINATED;
 * directories under vms/ that belong to no live microVM are removed.
 */
final class Reconciler {
    static final String GONE = "VMM process gone after server restart";
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final Engine engine;

    Reconciler(Engine engine) {
        this.engine = engine;
    }

    void run() {
        List<Future<?>> work = new ArrayList<>();
        List<MicrovmRecord> live = engine.store.notIn(MicrovmState.TERMINATED.name());
        // Networks first: every live microVM keeps its namespace (a running VMM is inside it), the rest go.
        Map<String, EgressPolicy> policies = new HashMap<>();
        for (MicrovmRecord r : live) policies.put(r.id(), r.egressPolicy());
        Map<String, VmNetwork> nets = engine.networks.reconcile(policies);
        for (MicrovmRecord r : live) {
            Machine m = new Machine(r, launch(r));
            m.net = nets.get(r.id());
            engine.machines.put(m.id, m);
            work.add(engine.tasks.submit(() -> engine.run(m, () -> reattach(m))));
        }
        for (Future<?> f : work) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.error("reconciliation task failed", e);
            }
        }
        sweepOrphanDirs();
    }

    private Machine.Launch launch(MicrovmRecord r) {
        LaunchRecord l = engine.store.launch(r.id()).orElse(new LaunchRecord(null, null, null));
        Path rootfs = l.rootfs() == null ? null : Path.of(l.rootfs()), template = l.template() == null ? null : Path.of(l.template());
        return new Machine.Launch(rootfs, template, Microvms.environment(l.environmentJson()), Hooks.fromJson(l.hooksJson()),
                l.runHookPayload(), Machine.Launch.archOf(r.workDir() == null ? null : Path.of(r.workDir()), rootfs, template));
    }

    private void reattach(Machine m) {
        MicrovmRecord r = m.created;
        try {
            WorkDirs.removeStaleTemporaries(m.workDir()); // a save or launch the crash cut short: never whole
        } catch (IOException e) {
            log.warn("{}: cannot remove stale temporary files: {}", m.id, e.toString());
        }
        if (m.state == MicrovmState.SUSPENDED) {
            keepSuspended(m);
            return;
        }
        // Adoption needs only the work directory. Without a recorded pid (a crash between launch and
        // recording it) the driver looks in the work directory.
        var spec = engine.spec(m);
        Optional<Vm> vm = r.vmmPid() == null ? engine.driver.adopt(spec) : engine.driver.adopt(spec, r.vmmPid());
        m.launched.complete(vm.orElse(null));
        if (m.state == MicrovmState.PENDING && engine.store.suspendedAt(m.id).isPresent() && Snapshot.isWhole(m.workDir())) {
            resumeInterrupted(m, vm.orElse(null));
            return;
        }
        if (m.state == MicrovmState.SUSPENDING) {
            suspendInterrupted(m, vm.orElse(null));
            if (m.state != MicrovmState.RUNNING) return;
        }
        if (m.state == MicrovmState.TERMINATING) {
            // The server stopped in the middle of a terminate: finish it.
            m.vm = vm.orElse(null);
            m.lock.lock();
            try {
                engine.stopProcesses(m, engine.settings.terminateGrace());
                engine.removeWorkDir(m);
                String reason = "Terminated (completed after server restart)";
                engine.step(m, new Action.Stopped(reason), Cause.RECONCILE, reason, reason);
                engine.finish(m, reason);
            } finally {
                m.lock.unlock();
            }
            return;
        }
        if (vm.isEmpty()) {
            engine.fail(m, Cause.RECONCILE, GONE);
            return;
        }
        m.vm = vm.get();
        if (engine.images.arn(r.tenantId(), r.imageArn()).isEmpty()) {
            // Its disk's base may be gone, and it could never be resumed or relaunched: stop it, do not leave it unowned.
            engine.fail(m, Cause.RECONCILE, "Image " + r.imageName() + " no longer available after server restart");
            return;
        }
        engine.watch(m, vm.get());
        if (engine.snapshots != null) {
            // A resume or a clone interrupted before its guest was let run waits paused: cont is harmless otherwise.
            try {
                engine.snapshots.resume(vm.get());
            } catch (VmmException e) {
                log.debug("{}: cont after restart: {}", m.id, e.getMessage());
            }
        }
        GuestAgent agent = null;
        boolean resuming = false;
        // A guest that was still booting when the server stopped gets the whole boot deadline.
        var timeout = m.state == MicrovmState.PENDING ? engine.settings.bootTimeout() : engine.settings.reconnectTimeout();
        try {
            agent = engine.agents.connect(vm.get().agentSocket(), timeout);
            AgentInfo info = agent.hello(timeout);
            if (!Boot.supported(info)) {
                throw new AgentException(0, "agent protocol version " + info.protocolVersion() + " not supported");
            }
            if (m.state == MicrovmState.PENDING) {
                // A resume or a clone stopped before its RESTORED fix-up: send it (again; it is idempotent).
                resuming = engine.store.suspendedAt(m.id).isPresent();
                if (resuming || m.launch.template() != null) {
                    agent.expectRestored();
                    agent.restored(Suspension.fixup(m, resuming ? null : m.id, !resuming), Suspension.FIXUP_TIMEOUT);
                }
            }
        } catch (AgentException | RuntimeException e) {
            if (agent != null) Engine.closeQuietly(agent);
            engine.fail(m, Cause.RECONCILE, "Guest agent unreachable after server restart: " + e.getMessage());
            return;
        }
        m.lock.lock();
        try {
            if (m.state == MicrovmState.PENDING && !hooksBeforeRunning(m, agent, resuming)) return;
            if (m.state == MicrovmState.PENDING) {
                engine.step(m, new Action.Booted("agent answered after server restart"), Cause.RECONCILE,
                        "agent answered after server restart", null);
                engine.store.setSuspendedAt(m.id, null);
            }
            if (m.state == MicrovmState.RUNNING) {
                m.agent = agent;
                engine.watch(m, agent);
                m.running.complete(agent);
                engine.scheduleExpiry(m);
                log.info("{} re-attached (pid {})", m.id, r.vmmPid());
            } else {
                Engine.closeQuietly(agent);
            }
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * A resume or a clone interrupted before RUNNING calls the hook it had not called yet (docs/hooks.md): the resume
     * hook, or a clone's run hook, unless its outcome is already recorded. False when the run hook failed and the
     * microVM was terminated for it. Lock held.
     */
    private boolean hooksBeforeRunning(Machine m, GuestAgent agent, boolean resuming) {
        if (resuming) {
            engine.hooks.resume(m, agent);
        } else if (m.launch.template() != null && !engine.hooks.runCalled(m)) {
            Optional<String> failed = engine.hooks.run(m, agent);
            if (failed.isPresent()) {
                Engine.closeQuietly(agent);
                engine.fail(m, Cause.FAILURE, failed.get());
                return false;
            }
        }
        return true;
    }

    /** A suspended microVM stays suspended if its snapshot is whole (the manifest is written last). */
    private void keepSuspended(Machine m) {
        m.launched = CompletableFuture.completedFuture(null);
        try {
            Snapshot.load(m.workDir());
        } catch (VmmException e) {
            engine.failKeepingDisk(m, Cause.RECONCILE, "Snapshot lost after server restart: " + e.getMessage());
            return;
        }
        m.suspendedAtMillis = engine.store.suspendedAt(m.id).map(java.time.Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
        engine.scheduleExpiry(m);
        log.info("{} stays SUSPENDED", m.id);
    }

    /**
     * The server stopped during a suspend. A whole snapshot (the manifest is written last, before the VMM is ended)
     * means the save finished: SUSPENDED, and a VMM still there (stopped) is ended. Else a VMM still alive holds the
     * guest (paused by the save): it goes on, RUNNING. Else the guest is lost, but not its disk (kept).
     */
    private void suspendInterrupted(Machine m, Vm vm) {
        boolean whole = Snapshot.isWhole(m.workDir());
        m.lock.lock();
        try {
            String why = "suspend interrupted by a server restart";
            if (whole) {
                if (vm != null) vm.terminate(engine.settings.terminateGrace());
                engine.store.setVmmPid(m.id, null);
                engine.step(m, new Action.Saved(), Cause.RECONCILE, "Suspended (" + why + ", snapshot whole)",
                        "Suspended: " + why);
                engine.store.setSuspendedAt(m.id, java.time.Instant.now());
                keepSuspended(m);
            } else if (vm != null && engine.snapshots != null) {
                engine.snapshots.resume(vm);
                engine.step(m, new Action.SaveFailed(why), Cause.RECONCILE, why + "; the guest goes on", null);
            } else {
                // Only a host crash or a VMM dying on its own gets here: the save ends the VMM after the manifest.
                engine.failKeepingDisk(m, Cause.RECONCILE, GONE + " during a suspend, before its snapshot was whole");
            }
        } catch (VmmException e) {
            engine.fail(m, Cause.RECONCILE, "cannot resume after an interrupted suspend: " + e.getMessage());
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * The server stopped during a resume, before the state was loaded (a restore deletes the manifest only once it has
     * loaded it, and the guest is let run only after that): the snapshot is whole and the guest never ran from it. A
     * VMM started for it (paused, waiting for its state, or holding it paused) is ended, and the microVM sleeps on.
     */
    private void resumeInterrupted(Machine m, Vm vm) {
        m.lock.lock();
        try {
            if (vm != null) vm.terminate(engine.settings.terminateGrace());
            engine.store.setVmmPid(m.id, null);
            String why = "resume interrupted by a server restart before its state was loaded; the snapshot is whole";
            engine.step(m, new Action.ResumeFailed(why), Cause.RECONCILE, why, null);
            keepSuspended(m);
        } finally {
            m.lock.unlock();
        }
    }

    private void sweepOrphanDirs() {
        Path root = WorkDirs.root(engine.settings.dataDir());
        if (!Files.isDirectory(root)) return;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (engine.machines.containsKey(dir.getFileName().toString())) continue;
                log.info("Removing {}: it belongs to no live microVM", dir);
                try {
                    WorkDirs.remove(dir);
                } catch (IOException e) {
                    log.warn("Cannot remove {}: {}", dir, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("Cannot list {}: {}", root, e.toString());
        }
    }
}
