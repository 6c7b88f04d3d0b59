package io.ember.microvm;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.GuestAgent;
import io.ember.agent.RestoreFixup;
import io.ember.network.VmNetwork;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmExit;
import io.ember.vmm.VmmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Suspend and resume (docs/snapshots.md). A suspended microVM is its work directory: the snapshot
 * (device state and RAM in {@code vmstate}, the disk overlay, the manifest written last) and no process.
 * Its own snapshot is resumed in place, so it is consumed by the resume: it can never be resumed twice.
 */
final class Suspension {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final Duration FIXUP_TIMEOUT = Duration.ofSeconds(10);

    private final Engine engine;
    /** The monitor RunMicrovm admits under: a resume starts a VMM too, so it counts against maxRunningVms. */
    private final Object admission;
    /** The tenant's quotas and the host's capacity, checked (under {@code admission}) before a VMM starts again. */
    private final java.util.function.Consumer<Machine> admitResume;

    Suspension(Engine engine, Object admission, java.util.function.Consumer<Machine> admitResume) {
        this.engine = engine;
        this.admission = admission;
        this.admitResume = admitResume;
    }

    /**
     * RUNNING → SUSPENDING → SUSPENDED; when already suspending or suspended, waits for that to be over. With
     * {@code onlyIfIdle}, it happens only if the idle policy still holds under the lock (no request started
     * meanwhile). The lock is held to decide and to commit; the hook and the save (up to a minute or two) run in
     * SUSPENDING without it, so requests and reads are never held behind them.
     */
    void suspend(Machine m, Cause cause, String why, boolean onlyIfIdle) {
        if (engine.snapshots == null) throw unsupported(m);
        GuestAgent agent;
        Vm vm;
        CompletableFuture<Void> step;
        m.lock.lock();
        try {
            if (onlyIfIdle && !IdleWatch.idleEnough(m, System.nanoTime())) return;
            if (!onlyIfIdle && m.state == MicrovmState.PENDING && !m.settled.isDone()) {
                // A resume is under way (a request woke it): SuspendMicrovm applies to what it ends in.
                CompletableFuture<Void> busy = m.settled;
                m.lock.unlock();
                try {
                    busy.join(); // bounded by the resume's own deadlines
                } finally {
                    m.lock.lock();
                }
            }
            if (!(engine.step(m, new Action.Suspend(), cause, why, null) instanceof Decision.Move)) {
                step = null;
                agent = null;
                vm = null;
            } else {
                agent = m.agent;
                vm = m.vm;
                // The channel breaks when the VMM ends: from here on that is expected, not a failure of the microVM.
                m.agent = null;
                m.running = new CompletableFuture<>();
                step = m.beginStep();
            }
        } finally {
            m.lock.unlock();
        }
        if (step == null) {
            if (!onlyIfIdle) m.settled.join(); // another suspend is under way: SuspendMicrovm returns once it is over
            return;
        }
        try {
            save(m, cause, why, agent, vm);
        } finally {
            step.complete(null);
            failIfGone(m);
        }
    }

    /** A VMM that died while the suspend step owned the machine, after the step looked (see Engine.watch). */
    private void failIfGone(Machine m) {
        Vm vm = m.vm;
        VmExit exit = vm == null ? null : vm.exited().getNow(null);
        if (exit != null && !exit.requested()) engine.fail(m, Cause.FAILURE, Engine.unexpected(exit));
    }

    /** The slow half of a suspend, in SUSPENDING, without the lock. */
    private void save(Machine m, Cause cause, String why, GuestAgent agent, Vm vm) {
        if (!engine.hooks.suspend(m, agent, cause == Cause.IDLE)) {
            abandon(m, cause, agent);
            return;
        }
        long t0 = System.nanoTime();
        try {
            engine.snapshots.save(vm, m.workDir()); // keeps the agent connected and idle: see Snapshots#save
        } catch (VmmException | RuntimeException e) {
            saveFailed(m, cause, vm, agent, e);
            return;
        }
        io.ember.vmm.CrashPoint.reach("suspend.after-save"); // whole snapshot, VMM gone, still SUSPENDING in the store
        Engine.closeQuietly(agent);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        m.lock.lock();
        try {
            if (m.state != MicrovmState.SUSPENDING) throw goneMeanwhile(m); // failed meanwhile (its VMM died)
            m.vm = null;
            m.launched = CompletableFuture.completedFuture(null);
            engine.store.setVmmPid(m.id, null);
            Instant now = Instant.now();
            engine.step(m, new Action.Saved(), cause, "Suspended (" + why + "; snapshot written in " + ms + " ms)",
                    "Suspended: " + why);
            engine.store.setSuspendedAt(m.id, now);
            m.suspendedAtMillis = now.toEpochMilli();
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * An idle suspend whose application did not say it was ready (docs/hooks.md): nothing was saved, the guest never
     * stopped, so the microVM is RUNNING again as it was; its idle clock starts over so that the next attempt comes after
     * another idle period rather than at the next tick.
     */
    private void abandon(Machine m, Cause cause, GuestAgent agent) {
        String reason = "Suspend abandoned: the suspend hook did not answer 2xx";
        m.lock.lock();
        try {
            if (m.state != MicrovmState.SUSPENDING) throw goneMeanwhile(m);
            engine.step(m, new Action.SaveFailed(reason), cause, reason, null);
            m.agent = agent;
            m.running.complete(agent);
            m.touch();
        } finally {
            m.lock.unlock();
        }
    }

    private void saveFailed(Machine m, Cause cause, Vm vm, GuestAgent agent, Exception e) {
        String reason = "Suspend failed: " + e.getMessage();
        m.lock.lock();
        try {
            if (m.state != MicrovmState.SUSPENDING) throw goneMeanwhile(m);
            if (vm != null && !vm.exited().isDone() && !agent.failure().isDone()) {
                // The save said why and let the guest go on (cont): it is RUNNING as before.
                try {
                    engine.step(m, new Action.SaveFailed(reason), cause, reason, reason);
                } catch (RuntimeException storeRefused) {
                    // The store could not record it (its disk is full, as the save's may have been): the guest runs all
                    // the same, and a restart that finds a live VMM and no manifest takes it as RUNNING too.
                    org.slf4j.LoggerFactory.getLogger(Suspension.class).error("{}: RUNNING again after a failed suspend, but "
                            + "the store could not record it ({}); the next start reconciles it", m.id, storeRefused.toString());
                    m.state = MicrovmState.RUNNING;
                }
                m.agent = agent;
                m.running.complete(agent);
                throw new MicrovmException(MicrovmException.Kind.INTERNAL, reason + "; the microVM goes on running",
                        "Microvm", m.id);
            }
        } finally {
            m.lock.unlock();
        }
        engine.fail(m, Cause.FAILURE, reason);
        throw new MicrovmException(MicrovmException.Kind.CONFLICT, reason + "; the microVM is terminated", "Microvm", m.id);
    }

    /**
     * SUSPENDED → PENDING → RUNNING: the VMM starts from the snapshot, the agent reconnects while the
     * guest is still paused, then the guest runs and is told the time and given fresh entropy. A no-op
     * when PENDING or RUNNING. Returns once RUNNING; a failure terminates the microVM (its snapshot may
     * be half consumed) and throws.
     */
    void resume(Machine m, Cause cause, String why) {
        CompletableFuture<Void> step = begin(m, cause, why);
        if (step != null) finish(m, step);
        else m.settled.join(); // a resume under way (a request's): ResumeMicrovm returns once it is over
    }

    /**
     * The decision half of a resume, under the lock: the host's and the tenant's limits, SUSPENDED → PENDING. Null
     * when there is nothing to resume (PENDING or RUNNING already); else the step that {@link #finish} ends.
     * QUOTA_EXCEEDED or INSUFFICIENT_CAPACITY (it stays SUSPENDED) when a limit says no.
     */
    CompletableFuture<Void> begin(Machine m, Cause cause, String why) {
        if (engine.snapshots == null) throw unsupported(m);
        m.lock.lock();
        try {
            synchronized (admission) {
                int live = engine.withVmm();
                if (m.state == MicrovmState.SUSPENDED && live >= engine.settings.maxRunningVms()) {
                    throw new MicrovmException(MicrovmException.Kind.QUOTA_EXCEEDED, "the host runs " + live
                            + " microVMs, its limit (maxRunningVms = " + engine.settings.maxRunningVms()
                            + "); microVM " + m.id + " stays SUSPENDED", "Microvm", m.id);
                }
                if (m.state == MicrovmState.SUSPENDED) admitResume.accept(m);
                if (!(engine.step(m, new Action.Resume(), cause, why, null) instanceof Decision.Move)) return null;
            }
            m.launched = new CompletableFuture<>(); // a terminate meanwhile waits for the VMM to stop it
            return m.beginStep();
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * The slow half of a resume, in PENDING, without the lock (requests wait for {@link Machine#running} with their
     * own deadline). A failure completes {@code running} exceptionally, so that those requests learn it too.
     */
    void finish(Machine m, CompletableFuture<Void> step) {
        try {
            restore(m);
        } finally {
            step.complete(null);
        }
    }

    private void restore(Machine m) {
        long t0 = System.nanoTime();
        Vm vm = null;
        GuestAgent agent = null;
        try {
            Snapshot snap = Snapshot.load(m.workDir());
            VmNetwork before = m.net;
            engine.attachNetwork(m, snap); // kept while suspended; made again after a host reboot
            // The guest's NIC is as it was at the save unless the network had to be made again (a host reboot):
            // telling it again would cost a reconfiguration (~40 ms) for nothing.
            boolean sameNetwork = before != null && before.equals(m.net);
            vm = engine.snapshots.restorePaused(engine.spec(m), snap, false);
            m.launched.complete(vm);
            m.vm = vm;
            engine.store.setVmmPid(m.id, vm.pid());
            engine.watch(m, vm);
            agent = engine.agents.connect(vm.agentSocket(), engine.settings.reconnectTimeout());
            agent.expectRestored();
            engine.snapshots.resume(vm);
            AgentInfo info = agent.hello(engine.settings.reconnectTimeout());
            agent.restored(sameNetwork ? fixup(null, null, false) : fixup(m, null, false), FIXUP_TIMEOUT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            engine.hooks.resume(m, agent); // a failure is recorded; the microVM runs on (docs/hooks.md)
            m.lock.lock();
            try {
                if (m.state != MicrovmState.PENDING) throw goneMeanwhile(m); // terminated or failed meanwhile
                engine.step(m, new Action.Booted(info.agent()), Cause.BOOT, "Resumed in " + ms + " ms", null);
                m.agent = agent;
                engine.watch(m, agent);
                engine.store.setSuspendedAt(m.id, null);
                m.suspendedAtMillis = 0;
                m.touch();
                m.running.complete(agent);
            } finally {
                m.lock.unlock();
            }
        } catch (VmmException | AgentException | RuntimeException e) {
            if (!m.launched.isDone()) m.launched.complete(null);
            if (agent != null) Engine.closeQuietly(agent);
            CompletableFuture<GuestAgent> waiting = m.running;
            MicrovmException failure = resumeFailed(m, vm, e);
            waiting.completeExceptionally(failure); // requests waiting for this resume get its outcome
            throw failure;
        }
    }

    private MicrovmException resumeFailed(Machine m, Vm vm, Exception e) {
        if (e instanceof MicrovmException me && me.kind() == MicrovmException.Kind.CONFLICT && m.state != MicrovmState.PENDING) {
            return me; // terminated or failed meanwhile: that is the outcome
        }
        String reason = "Resume failed: " + (vm == null ? e.getMessage() : Engine.exitReason(vm).orElse(e.getMessage()));
        m.lock.lock();
        try {
            // The manifest is deleted only once a restore has loaded the state.
            if (m.state == MicrovmState.PENDING && vm == null && Snapshot.isWhole(m.workDir())) {
                // Nothing was loaded, so nothing was consumed: the microVM sleeps on and can be resumed later.
                m.launched = CompletableFuture.completedFuture(null);
                engine.step(m, new Action.ResumeFailed(reason), Cause.FAILURE, reason, null);
                MicrovmException failure = new MicrovmException(MicrovmException.Kind.INTERNAL,
                        reason + "; the microVM stays SUSPENDED", "Microvm", m.id);
                m.running = new CompletableFuture<>(); // for the next resume; this one's waiters get the failure
                return failure;
            }
        } finally {
            m.lock.unlock();
        }
        engine.fail(m, Cause.FAILURE, reason);
        return new MicrovmException(MicrovmException.Kind.CONFLICT, reason + "; the microVM is terminated", "Microvm", m.id);
    }

    /** The microVM left the state a slow step ran in: it was terminated or failed meanwhile. */
    private static MicrovmException goneMeanwhile(Machine m) {
        return new MicrovmException(MicrovmException.Kind.CONFLICT, "microVM " + m.id + " became " + m.state
                + " meanwhile", "Microvm", m.id);
    }

    /**
     * What a restored guest is told: the time now, 64 fresh random bytes, for a clone its own name, and its network
     * ({@code m}'s; none when {@code m} is null: the guest's NIC stays as it is).
     */
    static RestoreFixup fixup(Machine m, String hostname, boolean newIdentity) {
        byte[] entropy = new byte[64];
        RANDOM.nextBytes(entropy);
        return new RestoreFixup(Instant.now(), entropy, hostname, newIdentity, m == null || m.net == null ? null : m.net.guestNet());
    }

    private static MicrovmException unsupported(Machine m) {
        return new MicrovmException(MicrovmException.Kind.CONFLICT, "this server's VMM driver cannot snapshot, so "
                + "microVM " + m.id + " cannot be suspended or resumed", "Microvm", m.id);
    }
}
