package io.ember.vmm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A supervised QEMU process: {@link #exited()} completes when it ends, for whatever cause. */
final class QemuVm implements Vm {
    private static final Logger log = LoggerFactory.getLogger(QemuVm.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration CONSOLE_DRAIN = Duration.ofMillis(500);

    private final String vmId;
    private final VmFiles files;
    private final ProcessHandle handle;
    private final ConsoleReader console;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CompletableFuture<VmExit> exited = new CompletableFuture<>();
    private final Runnable afterExit;

    /**
     * @param process our child (exit status known), or null for a VMM adopted from an earlier server
     * @param afterExit runs once the process is gone, before {@link #exited()} completes (releases the VM's cgroup)
     */
    QemuVm(String vmId, VmFiles files, ProcessHandle handle, Process process, ConsoleReader console, Runnable afterExit) {
        this.vmId = vmId;
        this.files = files;
        this.handle = handle;
        this.console = console;
        this.afterExit = afterExit;
        if (process != null) process.onExit().thenAccept(p -> ended(p.exitValue()));
        else handle.onExit().thenAccept(h -> ended(null));
    }

    /** The console's reader (its figures, for tests); null when it could not attach. */
    ConsoleReader console() {
        return console;
    }

    private void ended(Integer status) {
        if (console != null) {
            console.awaitDrained(CONSOLE_DRAIN);
            console.close();
        }
        try {
            afterExit.run();
        } catch (RuntimeException e) {
            log.warn("{}: cleanup after the VMM ended failed: {}", vmId, e.toString());
        }
        boolean asked = requested.get();
        // panic=-1 reboots at once and -no-reboot turns that into a clean exit: only the console tells a panic apart.
        String panic = asked || (status != null && status != 0) ? null : ConsoleLog.lastPanic(files.consoleLog()).orElse(null);
        VmExit exit = new VmExit(status == null ? -1 : status, asked,
                panic != null ? VmExit.GUEST_PANICKED + ": " + panic : reason(status, asked));
        if (!exit.requested()) log.warn("{}: VMM process {} ended: {}", vmId, handle.pid(), exit.reason());
        exited.complete(exit);
    }

    /** Short on purpose: callers wrap it ("VMM process exited unexpectedly (...)"). */
    static String reason(Integer status, boolean requested) {
        String how;
        if (status == null) how = "exit status unknown: the VMM was adopted from an earlier server";
        else if (status > 128 && status < 128 + 65) how = "killed by signal " + (status - 128) + signalName(status - 128);
        else if (status == 0) how = "exit code 0: the guest powered off";
        else how = "exit code " + status;
        return requested ? "terminated on request (" + how + ")" : how;
    }

    private static String signalName(int signo) {
        return switch (signo) {
            case 9 -> " (SIGKILL)";
            case 15 -> " (SIGTERM)";
            case 6 -> " (SIGABRT)";
            case 11 -> " (SIGSEGV)";
            case 2 -> " (SIGINT)";
            case 1 -> " (SIGHUP)";
            default -> "";
        };
    }

    VmFiles files() {
        return files;
    }

    /** Stops reading the console without touching the VM (tests: what a server restart does). */
    void detachConsole() {
        if (console != null) console.close();
    }

    @Override
    public String vmId() {
        return vmId;
    }

    @Override
    public long pid() {
        return handle.pid();
    }

    @Override
    public Path agentSocket() {
        return files.agent();
    }

    @Override
    public Path consoleLog() {
        return files.consoleLog();
    }

    @Override
    public CompletableFuture<VmExit> exited() {
        return exited;
    }

    /** QMP quit, then SIGKILL once {@code grace} is over; returns when the process is gone. */
    @Override
    public void terminate(Duration grace) {
        requested.set(true);
        if (exited.isDone()) return;
        long deadline = System.nanoTime() + grace.toNanos();
        try (Qmp qmp = Qmp.connect(files.qmp(), min(grace, Duration.ofSeconds(5)))) {
            qmp.execute("quit", Map.of(), min(grace, Duration.ofSeconds(5)));
        } catch (IOException e) {
            log.info("{}: QMP quit failed ({}); killing the VMM", vmId, e.getMessage());
        }
        if (await(Math.max(0, deadline - System.nanoTime()))) return;
        handle.destroyForcibly();
        if (!await(KILL_WAIT.toNanos())) log.error("{}: VMM process {} survived SIGKILL for {}", vmId, handle.pid(), KILL_WAIT);
    }

    private boolean await(long nanos) {
        try {
            exited.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return exited.isDone();
        } catch (Exception e) {
            return true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
