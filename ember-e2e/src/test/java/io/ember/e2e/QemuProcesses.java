package io.ember.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Finds the QEMU processes (not their jailers) of a test's own VMs, by the VM directory on their command line. */
final class QemuProcesses {

    private QemuProcesses() {}

    static List<ProcessHandle> under(Path dir) {
        String needle = dir.toString() + "/";
        return ProcessHandle.allProcesses()
                // QEMU itself: its jailer's arguments name the directory too, but the jailer ends with it
                .filter(p -> p.info().command().map(c -> c.contains("qemu-system")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .toList();
    }

    static Optional<ProcessHandle> of(Path vmDir) {
        return under(vmDir).stream().findFirst();
    }

    /** Last-resort cleanup so a failed test never leaves guests running: SIGKILL by pid, then wait. */
    static void killAllUnder(Path dir) {
        for (ProcessHandle p : under(dir)) {
            p.destroyForcibly();
            p.onExit().completeOnTimeout(p, Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
        }
    }
}
