package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.ExecRequest;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A guest whose kernel panics is told apart from one that powers off (docs/vmm.md, "Supervision"). */
class GuestPanicEndToEndTest {
    private EmberTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = EmberTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void shouldReportAKernelPanicWithItsLine() {
        String id = endAfter("echo c > /proc/sysrq-trigger");
        assertThat(server.client().getMicrovm(id).stateReason())
                .isEqualTo("The guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash");
    }

    @Test
    void shouldStillReportAPowerOffAsOne() {
        String id = endAfter("sync; poweroff -f");
        assertThat(server.client().getMicrovm(id).stateReason())
                .isEqualTo("VMM process exited unexpectedly (exit code 0: the guest powered off)");
    }

    /** Runs a busybox microVM, runs {@code script} in it (which ends the guest), and waits for TERMINATED. */
    private String endAfter(String script) {
        try (TestVm vm = TestVm.run(server, "busybox")) {
            try {
                server.client().execAndWait(vm.id, ExecRequest.shell(script));
            } catch (RuntimeException expected) {
                // the channel breaks with the guest
            }
            Microvm m = server.client().waitUntilState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(60));
            assertThat(m.state()).isEqualTo(MicrovmState.TERMINATED);
            return vm.id;
        }
    }
}
