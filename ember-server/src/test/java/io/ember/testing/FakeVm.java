package io.ember.testing;

import io.ember.vmm.Vm;
import io.ember.vmm.VmExit;
import io.ember.vmm.VmSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A VMM "process" that lives until terminated or crashed by the test. */
public final class FakeVm implements Vm {
    private final String vmId;
    private final long pid;
    private final Path workDir;
    /** The machine it was started as (null when built without one). */
    public final VmSpec spec;
    private final CompletableFuture<VmExit> exited = new CompletableFuture<>();
    public final AtomicInteger terminateCalls = new AtomicInteger();
    /** Started from a snapshot and not yet let run ({@link FakeDriver#resume}). */
    public volatile boolean paused;
    /** {@link FakeAgents#ORDER} when it was let run after a paused restore; 0 before. */
    public volatile long resumedOrder;

    public FakeVm(String vmId, long pid, Path workDir) {
        this(vmId, pid, workDir, null);
    }

    public FakeVm(String vmId, long pid, Path workDir, VmSpec spec) {
        this.vmId = vmId;
        this.pid = pid;
        this.workDir = workDir;
        this.spec = spec;
    }

    @Override public String vmId() { return vmId; }

    @Override public long pid() { return pid; }

    @Override public Path agentSocket() { return workDir.resolve("agent.sock"); }

    @Override public Path consoleLog() { return workDir.resolve("console.log"); }

    @Override public CompletableFuture<VmExit> exited() { return exited; }

    @Override
    public void terminate(Duration grace) {
        terminateCalls.incrementAndGet();
        exited.complete(new VmExit(0, true, "terminated"));
    }

    /** The process ends because the host asked it to (a completed save), without a terminate call. */
    public void endAsRequested(String reason) {
        exited.complete(new VmExit(0, true, reason));
    }

    /** The process dies on its own. */
    public void crash(int exitCode) {
        exited.complete(new VmExit(exitCode, false, ""));
    }

    public boolean alive() {
        return !exited.isDone();
    }
}
