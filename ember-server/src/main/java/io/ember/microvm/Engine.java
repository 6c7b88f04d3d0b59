package io.ember.microvm;

import io.ember.agent.GuestAgent;
import io.ember.image.ImageCatalog;
import io.ember.image.ImageSource;
import io.ember.metering.UsageKind;
import io.ember.network.Networks;
import io.ember.store.EventRecord;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Snapshots;
import io.ember.vmm.Vm;
import io.ember.vmm.VmExit;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies lifecycle decisions: records each transition with its event, and does the work that
 * goes with it (stopping processes, removing directories, arming the lifetime timer). Every
 * decision on a microVM and its commit hold its {@link Machine#lock}; slow work (hooks, saves, stops) runs in
 * the transitional state made for it, outside the lock ({@link Machine#settled}).
 */
final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final Duration FAILED_VM_GRACE = Duration.ofSeconds(1);

    final Store store;
    final ImageCatalog catalog;
    final ImageSource images;
    final VmmDriver driver;
    /** Null when the driver cannot snapshot (test fakes): suspend and launches from image snapshots are refused. */
    final Snapshots snapshots;
    final AgentConnector agents;
    final MicrovmSettings settings;
    /** Every microVM's network namespace, rules and resolver entry (io.ember.network); off in tests of other things. */
    final Networks networks;
    final MachineHooks hooks = new MachineHooks(this);
    final ConcurrentHashMap<String, Machine> machines = new ConcurrentHashMap<>();
    final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("ember-lifetime").unstarted(r));
    /** Ticks the idle policy (see IdleWatch). */
    final ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("ember-idle").unstarted(r));
    private volatile boolean closing;

    Engine(Store store, ImageCatalog catalog, ImageSource images, VmmDriver driver, AgentConnector agents,
           MicrovmSettings settings, Networks networks) {
        this.networks = networks;
        this.store = store;
        this.catalog = catalog;
        this.images = images;
        this.driver = driver;
        this.snapshots = driver instanceof Snapshots s ? s : null;
        this.agents = agents;
        this.settings = settings;
    }

    boolean closing() {
        return closing;
    }

    /**
     * Decides {@code action} in the machine's current state and, for a move, commits it with its
     * event. Caller holds the lock. Throws CONFLICT on a refusal.
     */
    Decision step(Machine m, Action action, Cause cause, String message, String stateReason) {
        MicrovmState from = m.state;
        Decision d = Lifecycle.decide(from, action);
        switch (d) {
            case Decision.Move(MicrovmState to) -> {
                // The snapshot is complete here; measured before the clock is read, so the walk bills to the interval ending now.
                long diskBytes = UsageRule.opens(from, to) && UsageRule.kind(from, to) == UsageKind.SUSPENDED
                        ? WorkDirs.bytes(m.workDir()) : 0;
                Instant now = Instant.now();
                store.transition(new EventRecord(m.id, now, from.name(), to.name(), cause.name(), message),
                        stateReason, to == MicrovmState.TERMINATED ? now : null,
                        UsageRule.change(m.id, now, from, to, UsageRule.Billed.of(m.created), diskBytes));
                m.state = to;
                log.info("{} {} -> {} ({}: {})", m.id, from, to, cause, message);
            }
            case Decision.Refuse(String why) -> throw new MicrovmException(MicrovmException.Kind.CONFLICT,
                    "microVM " + m.id + " is " + from + ": " + why, "Microvm", m.id);
            case Decision.Ignore() -> { }
        }
        return d;
    }

    /** The VM broke (VMM died, agent channel failed, boot failed): kill what is left, then TERMINATED. */
    void fail(Machine m, Cause cause, String reason) {
        if (closing) return;
        m.lock.lock();
        try {
            if (!(Lifecycle.decide(m.state, new Action.Fail(reason)) instanceof Decision.Move)) return;
            log.warn("{} failed: {}", m.id, reason);
            stopProcesses(m, FAILED_VM_GRACE);
            removeWorkDir(m);
            step(m, new Action.Fail(reason), cause, reason, reason);
            store.setSuspendedAt(m.id, null);
            finish(m, reason);
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * TERMINATING, the terminate hook (when it was RUNNING), stop the VMM, remove its directory, TERMINATED. The lock
     * is held to decide and to commit; the hook and the stop run in TERMINATING without it. A suspend under way ends
     * first (the snapshot is then discarded); a terminate already under way is waited for.
     */
    void terminate(Machine m, Cause cause, String reason) {
        MicrovmState from;
        CompletableFuture<Void> stepDone;
        while (true) {
            CompletableFuture<Void> busy;
            m.lock.lock();
            try {
                from = m.state;
                busy = m.settled;
                if (from != MicrovmState.SUSPENDING || busy.isDone()) {
                    boolean moved = step(m, new Action.Terminate(m.id, cause), cause, reason, null) instanceof Decision.Move;
                    stepDone = moved ? m.beginStep() : null;
                    break;
                }
            } finally {
                m.lock.unlock();
            }
            busy.join(); // bounded by the suspend hook's and the save's own deadlines
        }
        if (stepDone == null) {
            if (m.state == MicrovmState.TERMINATING) m.settled.join(); // TerminateMicrovm returns once it is gone
            return;
        }
        try {
            hooks.terminate(m, from);
            stopProcesses(m, settings.terminateGrace());
            removeWorkDir(m);
            m.lock.lock();
            try {
                step(m, new Action.Stopped(reason), cause, reason, reason);
                store.setSuspendedAt(m.id, null);
                finish(m, reason);
            } finally {
                m.lock.unlock();
            }
        } finally {
            stepDone.complete(null);
        }
    }

    /** Microvms whose VMM runs or is about to (everything but SUSPENDED): what the host limit counts. */
    int withVmm() {
        int n = 0;
        for (Machine m : machines.values()) if (m.state != MicrovmState.SUSPENDED) n++;
        return n;
    }

    /** Closes the agent channel and stops the VMM, waiting for a launch still in progress. Lock held. */
    void stopProcesses(Machine m, Duration grace) {
        GuestAgent agent = m.agent;
        if (agent != null) closeQuietly(agent);
        Vm vm = m.vm;
        if (vm == null) {
            try {
                vm = m.launched.get(settings.bootTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("{}: launch did not finish in time; the boot task stops it when it does", m.id);
            }
        }
        if (vm != null) {
            try {
                vm.terminate(grace);
            } catch (RuntimeException e) {
                log.warn("{}: stopping the VMM failed: {}", m.id, e.toString());
            }
        }
    }

    /**
     * As {@link #fail}, for a microVM lost during a suspend (no whole snapshot, no VMM): its disk is kept under
     * {@code <data>/recovered/<id>/} and the reason says where (docs/snapshots.md, "Restarts").
     */
    void failKeepingDisk(Machine m, Cause cause, String reason) {
        String why = reason;
        try {
            var kept = WorkDirs.keepDisk(settings.dataDir(), m.id, m.workDir());
            if (kept.isPresent()) why = reason + "; its disk is kept in " + kept.get();
        } catch (IOException e) {
            log.warn("{}: cannot keep its disk: {}", m.id, e.toString());
        }
        fail(m, cause, why);
    }

    void removeWorkDir(Machine m) {
        try {
            WorkDirs.remove(Path.of(m.created.workDir()));
        } catch (IOException e) {
            log.warn("{}: removing {} failed ({}); it is swept at the next start", m.id, m.created.workDir(), e.toString());
        }
    }

    /** After TERMINATED: forget the machine and wake whoever waits for it to run. */
    void finish(Machine m, String reason) {
        machines.remove(m.id, m);
        try {
            networks.detach(m.id);
        } catch (RuntimeException e) {
            log.warn("{}: removing its network failed ({}); the next start removes it", m.id, e.getMessage());
        }
        m.net = null;
        var expiry = m.expiry;
        if (expiry != null) expiry.cancel(false);
        m.running.completeExceptionally(new MicrovmException(MicrovmException.Kind.CONFLICT,
                "microVM " + m.id + " is TERMINATED: " + reason, "Microvm", m.id));
    }

    /** Fails the machine when its VMM process ends without being asked to. */
    void watch(Machine m, Vm vm) {
        vm.exited().thenAcceptAsync(exit -> {
            // A suspend under way sees its save fail and says why (Suspension.suspend checks again when it ends).
            if (m.state == MicrovmState.SUSPENDING && !m.settled.isDone()) return;
            if (!exit.requested()) fail(m, Cause.FAILURE, unexpected(exit));
        }, tasks);
    }

    /** Fails the machine when its agent channel breaks (protocol violation, EOF, missed deadline). */
    void watch(Machine m, GuestAgent agent) {
        agent.failure().thenAcceptAsync(reason -> {
            if (m.agent == agent) agentFailed(m, reason);
        }, tasks);
    }

    /**
     * The agent channel broke. A dying VMM closes the channel too, usually a moment before its
     * exit is seen: the VMM's exit, when it comes within a second, is the better reason.
     */
    void agentFailed(Machine m, String reason) {
        if (closing) return;
        fail(m, Cause.FAILURE, exitReason(m.vm).orElse(agentReason(reason)));
    }

    /**
     * "VMM process exited unexpectedly (...)" if {@code vm} ended on its own within a second. An
     * adopted VMM is not our child: its exit may be seen late, so a vanished pid counts too.
     */
    static Optional<String> exitReason(Vm vm) {
        if (vm == null) return Optional.empty();
        try {
            VmExit exit = vm.exited().get(1, TimeUnit.SECONDS);
            return exit.requested() ? Optional.empty() : Optional.of(unexpected(exit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception notYetSeen) {
            return Processes.gone(vm.pid()) ? Optional.of("VMM process exited unexpectedly (exit status unknown)")
                    : Optional.empty();
        }
    }

    /** Arms the maximumDurationInSeconds timer (fires at once if already past). */
    void scheduleExpiry(Machine m) {
        int seconds = m.created.maximumDurationSeconds();
        Instant at = m.created.startedAt().plusSeconds(seconds);
        long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
        String reason = "Maximum duration of " + seconds + " seconds reached";
        m.expiry = timers.schedule(() -> tasks.execute(() -> run(m, () -> terminate(m, Cause.LIFETIME, reason))),
                delay, TimeUnit.MILLISECONDS);
    }

    /** Makes (or finds) the microVM's network under the policy it was run with; a no-op when networking is off. */
    void attachNetwork(Machine m, Snapshot from) {
        if (from != null && !from.nic()) {
            // Saved before microVMs had networks: no device to put one on (rebuild the image to get one).
            networks.detach(m.id);
            m.net = null;
            return;
        }
        m.net = networks.attach(m.id, m.created.egressPolicy());
    }

    /** The machine as the VMM layer sees it; the hostname is the microVM id. */
    VmSpec spec(Machine m) {
        MicrovmRecord r = m.created;
        ImageCatalog boot = catalog.of(m.launch.arch()); // AssetsMissingException: its arm64 assets went away
        VmSpec spec = new VmSpec(r.id(), m.workDir(), boot.kernel(), boot.initrd(), m.launch.rootfs(),
                r.vcpus(), r.memoryMib(), r.id(), List.of()).withArch(m.launch.arch())
                // No NIC when networking is off: a snapshot's NIC then restores attached to nothing.
                .withNic(m.net == null ? null : m.net.nic());
        // A size's microVM is guaranteed its baseline under contention and bursts into what the host has free
        var size = io.ember.image.SizeClass.ofStored(r.sizeMib());
        if (size.isPresent() && size.get().baselineVcpuMillis <= r.vcpus() * 1000) spec = spec.withCpuShare(size.get().baselineVcpuMillis);
        // A clone's disk is an overlay of its image snapshot's disk: a jailed VMM must be able to read it (and only it)
        Path template = m.launch.template();
        return template == null ? spec : spec.withSharedFiles(List.of(template.resolve(Snapshot.DISK)));
    }

    /**
     * Runs a background task (boot, lifetime, reconcile). What escapes it is a bug: it is logged,
     * and the microVM is failed rather than left PENDING or RUNNING with nobody in charge.
     */
    void run(Machine m, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            if (closing) return;
            log.error("{}: background task failed", m.id, e);
            try {
                fail(m, Cause.FAILURE, "Internal error: " + e);
            } catch (RuntimeException | Error again) {
                log.error("{}: cannot mark the microVM failed", m.id, again);
            }
        }
    }

    /** The stateReason of a VMM that ended on its own: a guest kernel panic says so, with the panic line. */
    static String unexpected(VmExit exit) {
        if (exit.guestPanicked()) return Character.toUpperCase(exit.reason().charAt(0)) + exit.reason().substring(1);
        return "VMM process exited unexpectedly (" + describe(exit) + ")";
    }

    static String describe(VmExit exit) {
        return exit.reason() == null || exit.reason().isBlank() ? "exit code " + exit.exitCode() : exit.reason();
    }

    static String agentReason(String reason) {
        String r = reason == null || reason.isBlank() ? "channel closed" : reason;
        return r.toLowerCase(java.util.Locale.ROOT).startsWith("agent")
                ? Character.toUpperCase(r.charAt(0)) + r.substring(1) : "Agent channel failed: " + r;
    }

    static void closeQuietly(GuestAgent agent) {
        try {
            agent.close();
        } catch (RuntimeException e) {
            log.debug("closing an agent channel failed", e);
        }
    }

    /** Stops timers and agent channels; VMs keep running and are adopted at the next start. */
    @Override
    public void close() {
        closing = true;
        timers.shutdownNow();
        idle.shutdownNow();
        for (Machine m : machines.values()) {
            GuestAgent agent = m.agent;
            if (agent != null) closeQuietly(agent);
        }
        tasks.shutdownNow();
        try {
            if (!tasks.awaitTermination(5, TimeUnit.SECONDS)) log.warn("background tasks still running at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
