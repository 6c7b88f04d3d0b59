package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.testing.FakeVm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExitReasonTest {
    @Test
    void shouldNameTheExitWhenTheVmmEndedOnItsOwn() {
        FakeVm vm = new FakeVm("mvm-x", ProcessHandle.current().pid(), Path.of("/tmp"));
        vm.crash(137);
        assertThat(Engine.exitReason(vm)).contains("VMM process exited unexpectedly (exit code 137)");
    }

    @Test
    void shouldNotBlameAVmmThatWasAskedToStopOrStillRuns() {
        FakeVm stopped = new FakeVm("mvm-x", ProcessHandle.current().pid(), Path.of("/tmp"));
        stopped.terminate(java.time.Duration.ZERO);
        assertThat(Engine.exitReason(stopped)).isEmpty();
        assertThat(Engine.exitReason(new FakeVm("mvm-y", ProcessHandle.current().pid(), Path.of("/tmp")))).isEmpty();
        assertThat(Engine.exitReason(null)).isEmpty();
    }

    @Test
    void shouldBlameAnAdoptedVmmWhosePidIsGoneBeforeItsExitIsSeen() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        FakeVm adopted = new FakeVm("mvm-z", p.pid(), Path.of("/tmp")); // exited() never completes
        assertThat(Engine.exitReason(adopted)).contains("VMM process exited unexpectedly (exit status unknown)");
    }

    @Test
    void shouldCountAnUnreapedZombieAsGone() throws Exception {
        // The child ends after sh has exec-ed into sleep, which never reaps it: a zombie.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream()))
                    .readLine().trim());
            io.ember.testing.Await.until("zombie", () -> {
                try {
                    return java.nio.file.Files.readString(Path.of("/proc/" + zombie + "/stat")).contains(") Z ");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("the JDK calls it alive").contains(true);
            assertThat(Processes.gone(zombie)).isTrue();
            assertThat(Processes.gone(sh.pid())).isFalse();
        } finally {
            sh.destroyForcibly();
            sh.waitFor();
        }
    }
}
