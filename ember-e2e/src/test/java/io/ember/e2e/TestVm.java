package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** One microVM launched through the public API, RUNNING when constructed, terminated on close. */
final class TestVm implements AutoCloseable {

    final String id;
    private final EmberTestServer server;

    private TestVm(EmberTestServer server, String id) {
        this.server = server;
        this.id = id;
    }

    static TestVm run(EmberTestServer server, String image) {
        return run(server, RunMicrovmRequest.of(image));
    }

    static TestVm run(EmberTestServer server, RunMicrovmRequest request) {
        EmberClient client = server.client();
        Microvm vm = client.runMicrovm(request);
        TestVm t = new TestVm(server, vm.microvmId());
        try {
            if (request.idlePolicy() == null) {
                Microvm running = client.waitUntilRunning(vm.microvmId(), Duration.ofSeconds(180));
                assertThat(running.state()).isEqualTo(MicrovmState.RUNNING);
            } else {
                // With a short idle policy it may be suspended again before a poll sees it RUNNING: an exec waits
                // for the boot instead (and would wake it), and counts as activity.
                assertThat(client.execAndWait(vm.microvmId(), ExecRequest.command("true")).exitCode()).isZero();
            }
            return t;
        } catch (RuntimeException | AssertionError e) {
            t.close();
            throw e;
        }
    }

    ExecResult sh(String script) {
        return server.client().execAndWait(id, ExecRequest.shell(script));
    }

    /** Runs a shell script that must succeed; returns its stdout. */
    String ok(String script) {
        ExecResult r = sh(script);
        assertThat(r.exitCode()).as("`%s` failed: %s", script, r.stderrText()).isZero();
        return r.stdoutText();
    }

    @Override
    public void close() {
        EmberClient client = server.client(); // the server may have been restarted since
        Microvm m = client.getMicrovm(id);
        if (m.state() != MicrovmState.TERMINATED && m.state() != MicrovmState.TERMINATING) {
            client.terminateMicrovm(id);
        }
    }
}
