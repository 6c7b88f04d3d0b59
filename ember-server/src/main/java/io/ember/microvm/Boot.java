package io.ember.microvm;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.GuestAgent;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The background half of RunMicrovm: launch the VMM (a cold boot, or a clone of the image's snapshot:
 * its RAM mapped privately, a disk overlay over the snapshot's disk), connect the agent, HELLO within
 * the boot deadline, then RUNNING. A clone is connected while still paused, then let run, then told the
 * time, fresh entropy and its own identity before anything else reaches it, then its run hook is called
 * (docs/hooks.md): one that fails terminates it. Any failure on the way
 * terminates the microVM with the reason.
 */
final class Boot {
    /** Agent protocol versions served: 2, and 1 (agents inside snapshots taken before 2; docs/agent-protocol.md). */
    static final int PROTOCOL_VERSION = 2, OLDEST_PROTOCOL_VERSION = 1;

    static boolean supported(AgentInfo info) {
        return info.protocolVersion() >= OLDEST_PROTOCOL_VERSION && info.protocolVersion() <= PROTOCOL_VERSION;
    }

    private final Engine engine;
    private final Machine m;

    Boot(Engine engine, Machine m) {
        this.engine = engine;
        this.m = m;
    }

    void run() {
        Vm vm = launch();
        if (vm == null) return;
        Instant deadline = Instant.now().plus(engine.settings.bootTimeout());
        GuestAgent agent = null;
        AgentInfo info;
        try {
            agent = engine.agents.connect(vm.agentSocket(), engine.settings.bootTimeout());
            if (m.launch.template() != null) {
                agent.expectRestored();
                engine.snapshots.resume(vm);
            }
            info = agent.hello(remaining(deadline));
            if (m.launch.template() != null) agent.restored(Suspension.fixup(m, m.id, true), Suspension.FIXUP_TIMEOUT);
        } catch (AgentException | VmmException | RuntimeException e) {
            if (agent != null) Engine.closeQuietly(agent);
            engine.fail(m, Cause.FAILURE, bootFailure(vm, e));
            return;
        }
        if (!supported(info)) {
            Engine.closeQuietly(agent);
            engine.fail(m, Cause.FAILURE, "Agent protocol version " + info.protocolVersion() + " not supported");
            return;
        }
        running(agent, info);
    }

    /** Starts the VMM and records its pid; null when it failed or the microVM was terminated meanwhile. */
    private Vm launch() {
        Vm vm;
        try {
            if (m.launch.template() == null) {
                engine.attachNetwork(m, null);
                vm = engine.driver.launch(engine.spec(m));
            } else {
                if (engine.snapshots == null) throw new VmmException("this VMM driver cannot restore snapshots");
                Snapshot image = Snapshot.load(m.launch.template());
                engine.attachNetwork(m, image);
                vm = engine.snapshots.restorePaused(engine.spec(m), image, true);
            }
        } catch (VmmException | RuntimeException e) {
            m.launched.complete(null);
            engine.fail(m, Cause.FAILURE, "VMM failed to start: " + e.getMessage());
            return null;
        }
        m.launched.complete(vm);
        m.lock.lock();
        try {
            if (m.state != MicrovmState.PENDING) {
                // Terminated while launching: the terminate path may have given up waiting for us, and
                // removed the directory the driver then made again.
                vm.terminate(engine.settings.terminateGrace());
                engine.removeWorkDir(m);
                return null;
            }
            if (engine.closing()) {
                keepForNextServer(vm);
                return null;
            }
            m.vm = vm;
            engine.store.setVmmPid(m.id, vm.pid());
            engine.watch(m, vm);
            return vm;
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * The server is stopping while this VMM came up: VMs outlive the server, so its pid is recorded
     * for the next server to adopt. If even that fails, nobody could ever find it: stop it.
     */
    private void keepForNextServer(Vm vm) {
        try {
            engine.store.setVmmPid(m.id, vm.pid());
        } catch (RuntimeException e) {
            vm.terminate(engine.settings.terminateGrace());
        }
    }

    private void running(GuestAgent agent, AgentInfo info) {
        if (m.state == MicrovmState.PENDING && m.launch.template() != null && !engine.closing()) {
            // A clone runs the snapshot's application: it draws its own session in its run hook before anyone reaches
            // it. Without the lock (the hook may take a minute): requests wait for RUNNING with their own deadline.
            Optional<String> failed = engine.hooks.run(m, agent);
            if (failed.isPresent()) {
                Engine.closeQuietly(agent);
                engine.fail(m, Cause.FAILURE, failed.get());
                return;
            }
        }
        m.lock.lock();
        try {
            if (engine.closing()) {
                Engine.closeQuietly(agent); // close() only closes the channels of machines it can see
                return;
            }
            String desc = info.agent() + ", kernel " + info.kernel();
            if (engine.step(m, new Action.Booted(desc), Cause.BOOT, desc, null) instanceof Decision.Move) {
                m.agent = agent;
                engine.watch(m, agent);
                m.running.complete(agent);
            } else {
                Engine.closeQuietly(agent);
            }
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * Prefers the VMM's exit as the reason: a dead VMM also breaks the agent channel. The agent
     * client checks the protocol (version included) itself: its "agent protocol ..." reasons are
     * already the documented ones.
     */
    private static String bootFailure(Vm vm, Exception e) {
        String msg = String.valueOf(e.getMessage());
        return Engine.exitReason(vm).orElse(msg.startsWith("agent protocol ") ? Engine.agentReason(msg)
                : "Guest agent failed during boot: " + msg);
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
