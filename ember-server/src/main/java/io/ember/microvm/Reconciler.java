package io.ember.microvm;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.GuestAgent;
import io.ember.image.ManagedImage;
import io.ember.store.MicrovmRecord;
import io.ember.vmm.Vm;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        for (MicrovmRecord r : engine.store.notIn(MicrovmState.TERMINATED.name())) {
            Machine m = new Machine(r);
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

    private void reattach(Machine m) {
        MicrovmRecord r = m.created;
        Optional<ManagedImage> image = engine.catalog.find(r.imageName());
        // Adoption needs only the work directory: a VMM whose image left the catalog is still found, and stopped.
        // Without a recorded pid (a crash between launch and recording it) the driver looks in the work directory.
        var spec = engine.spec(r, image.orElse(null));
        Optional<Vm> vm = r.vmmPid() == null ? engine.driver.adopt(spec) : engine.driver.adopt(spec, r.vmmPid());
        m.launched.complete(vm.orElse(null));
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
        if (image.isEmpty()) {
            engine.fail(m, Cause.RECONCILE, "Image " + r.imageName() + " no longer available after server restart");
            return;
        }
        engine.watch(m, vm.get());
        GuestAgent agent = null;
        // A guest that was still booting when the server stopped gets the whole boot deadline.
        var timeout = m.state == MicrovmState.PENDING ? engine.settings.bootTimeout() : engine.settings.reconnectTimeout();
        try {
            agent = engine.agents.connect(vm.get().agentSocket(), timeout);
            AgentInfo info = agent.hello(timeout);
            if (info.protocolVersion() != Boot.PROTOCOL_VERSION) {
                throw new AgentException(0, "agent protocol version " + info.protocolVersion() + " not supported");
            }
        } catch (AgentException | RuntimeException e) {
            if (agent != null) Engine.closeQuietly(agent);
            engine.fail(m, Cause.RECONCILE, "Guest agent unreachable after server restart: " + e.getMessage());
            return;
        }
        m.lock.lock();
        try {
            if (m.state == MicrovmState.PENDING) {
                engine.step(m, new Action.Booted("agent answered after server restart"), Cause.RECONCILE,
                        "agent answered after server restart", null);
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
