package io.ember.microvm;

import io.ember.agent.GuestAgent;
import io.ember.hooks.Hooks;
import io.ember.store.MicrovmRecord;
import io.ember.vmm.Vm;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The runtime side of one microVM that is not TERMINATED: its lock (every lifecycle decision on it holds
 * it, which is what serializes concurrent requests; slow work runs outside it, see {@link #settled}), the state last committed to the store, the
 * handles to its VMM process and agent channel (null while SUSPENDED), and its activity for the idle policy.
 */
final class Machine {
    final String id;
    final MicrovmRecord created;
    final Launch launch;
    final IdlePolicy idlePolicy;
    final ReentrantLock lock = new ReentrantLock();
    /** Completed by the boot task as soon as the VMM process runs (null if it failed to start). */
    volatile CompletableFuture<Vm> launched = new CompletableFuture<>();
    /**
     * Completed with the agent when RUNNING; exceptionally (MicrovmException) when TERMINATED first.
     * Replaced by a fresh one when the microVM suspends, so that requests wait for the next resume.
     */
    volatile CompletableFuture<GuestAgent> running = new CompletableFuture<>();

    /**
     * Completed when the slow step under way is over: a suspend's hook and save, a resume's restore and hook, a
     * terminate's hook and stop. Those run outside the lock, in the SUSPENDING, PENDING or TERMINATING state that
     * exists for them; the lock covers only the decision and its commit. Whoever must wait for such a step
     * (a request, a terminate during a suspend) waits on this, with its own deadline, never on the lock.
     */
    volatile CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);

    volatile MicrovmState state;
    volatile Vm vm;
    /** Its network while it has one (made at launch, kept while suspended); null when the server's networking is off. */
    volatile io.ember.network.VmNetwork net;
    volatile GuestAgent agent;
    volatile ScheduledFuture<?> expiry;
    /** Requests using the guest right now (exec streams, file transfers): the idle policy waits for zero. */
    final AtomicInteger active = new AtomicInteger();
    /** System.nanoTime() of the last request's start or end, or of the last resume. */
    volatile long lastActivity = System.nanoTime();
    /** Wall-clock millis when it was suspended; 0 when it is not. */
    volatile long suspendedAtMillis;

    Machine(MicrovmRecord created, Launch launch) {
        this.id = created.id();
        this.created = created;
        this.launch = launch;
        this.idlePolicy = Microvms.idlePolicy(created);
        this.state = MicrovmState.valueOf(created.state());
    }

    Path workDir() {
        return Path.of(created.workDir());
    }

    /** Starts a slow step (lock held): its future, to complete when it is over. */
    CompletableFuture<Void> beginStep() {
        CompletableFuture<Void> step = new CompletableFuture<>();
        settled = step;
        return step;
    }

    /** Waits until the slow step under way is over; false when {@code deadlineNanos} (System.nanoTime) came first. */
    boolean awaitSettled(long deadlineNanos) {
        CompletableFuture<Void> step = settled;
        try {
            step.get(Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    /**
     * How the microVM was launched.
     *
     * @param rootfs raw base disk under its overlay (null when unknown: a record from before launches were stored)
     * @param template image snapshot it was cloned from; null when it booted cold
     * @param environment the image's environment for processes Ember starts
     * @param hooks the lifecycle hooks Ember calls in it ({@link Hooks#NONE} for a cold boot)
     * @param runHookPayload the body of its run hook; null when empty or already delivered
     * @param arch the guest's architecture (its image version's)
     */
    record Launch(Path rootfs, Path template, Map<String, String> environment, Hooks hooks, String runHookPayload,
                  io.ember.vmm.Arch arch) {
        Launch {
            environment = Map.copyOf(environment == null ? Map.of() : environment);
            hooks = hooks == null ? Hooks.NONE : hooks;
            if (arch == null) arch = io.ember.vmm.Arch.X86_64;
        }

        /**
         * The architecture of a microVM found after a restart (the store keeps no column for it): what its own
         * suspended snapshot, else its image snapshot, else the snapshot beside its base disk (a built image booted
         * cold) says; x86-64 when none does (a managed image: those launch on the host's x86-64 catalog).
         */
        static io.ember.vmm.Arch archOf(Path workDir, Path rootfs, Path template) {
            for (Path dir : new Path[] {workDir, template, rootfs == null ? null : rootfs.resolveSibling("snapshot")}) {
                if (dir == null || !java.nio.file.Files.isRegularFile(dir.resolve(io.ember.vmm.Snapshot.MANIFEST))) continue;
                try {
                    return io.ember.vmm.Snapshot.load(dir).arch();
                } catch (io.ember.vmm.VmmException e) {
                    // incomplete: the next place may know
                }
            }
            return io.ember.vmm.Arch.X86_64;
        }
    }
}
