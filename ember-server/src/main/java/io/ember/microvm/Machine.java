package io.ember.microvm;

import io.ember.agent.GuestAgent;
import io.ember.store.MicrovmRecord;
import io.ember.vmm.Vm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The runtime side of one live microVM: its lock (every lifecycle step on it holds it, which is
 * what serializes concurrent requests), the state last committed to the store, and the handles
 * to its VMM process and agent channel.
 */
final class Machine {
    final String id;
    final MicrovmRecord created;
    final ReentrantLock lock = new ReentrantLock();
    /** Completed by the boot task as soon as the VMM process runs (null if it failed to start). */
    final CompletableFuture<Vm> launched = new CompletableFuture<>();
    /** Completed with the agent when RUNNING; exceptionally (MicrovmException) when TERMINATED first. */
    final CompletableFuture<GuestAgent> running = new CompletableFuture<>();

    volatile MicrovmState state;
    volatile Vm vm;
    volatile GuestAgent agent;
    volatile ScheduledFuture<?> expiry;

    Machine(MicrovmRecord created) {
        this.id = created.id();
        this.created = created;
        this.state = MicrovmState.valueOf(created.state());
    }
}
