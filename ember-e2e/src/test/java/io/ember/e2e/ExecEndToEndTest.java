package io.ember.e2e;

import io.ember.sdk.ExecEvent;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import io.ember.sdk.ExecStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands in a real busybox microVM, through the CLI and the SDK as a user drives them. */
class ExecEndToEndTest extends OneVmPerClass {

    @Test
    void shouldPassExitCodesThroughTheCli() {
        assertThat(server.cli("exec", vm.id, "--", "true").exitCode()).isZero();
        assertThat(server.cli("exec", vm.id, "--", "false").exitCode()).isEqualTo(1);
        assertThat(server.cli("exec", vm.id, "--", "sh", "-c", "exit 42").exitCode()).isEqualTo(42);
        // killed by a signal: the shell convention 128 + signal number
        assertThat(server.cli("exec", vm.id, "--", "sh", "-c", "kill -9 $$").exitCode()).isEqualTo(128 + 9);
    }

    @Test
    void shouldReportSignalAndTimeoutThroughTheSdk() {
        ExecResult killed = vm.sh("kill -TERM $$");
        assertThat(killed.exitCode()).isEqualTo(-1);
        assertThat(killed.signal()).isEqualTo(15);

        ExecResult timedOut = server.client().execAndWait(vm.id,
                ExecRequest.shell("echo before; sleep 30; echo after").withTimeoutSeconds(1));
        assertThat(timedOut.timedOut()).isTrue();
        assertThat(timedOut.stdoutText()).isEqualTo("before\n");
        assertThat(vm.ok("echo still usable")).isEqualTo("still usable\n");
    }

    @Test
    void shouldEndACommandThatLeavesADetachedChild_withoutEndingTheMicrovm() {
        // The detached sleep holds stdout and stderr open for 100 s: the command ends a grace after its shell.
        long t0 = System.nanoTime();
        EmberTestServer.CliResult r = server.cli("exec", vm.id, "--timeout", "5", "--", "sh", "-c",
                "setsid sleep 100 & echo started");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(seconds).as("returned after %.1f s", seconds).isLessThan(5 + 3);

        // At its timeout the command's group is killed; the detached child is not, and no longer holds the stream.
        t0 = System.nanoTime();
        r = server.cli("exec", vm.id, "--timeout", "3", "--", "sh", "-c", "setsid sleep 100 & echo started; sleep 100");
        seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.exitCode()).as(r.stderr()).isNotZero();
        assertThat(seconds).as("returned after %.1f s", seconds).isLessThan(3 + 3);

        assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(io.ember.sdk.MicrovmState.RUNNING);
        assertThat(vm.ok("echo still usable")).isEqualTo("still usable\n");
        assertThat(vm.ok("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null | grep -c '^sleep 100 $'")
                .trim()).as("the detached children live on").isEqualTo("2");
    }

    @Test
    void shouldKeepStdoutAndStderrApart() {
        EmberTestServer.CliResult r = server.cli("exec", vm.id, "--", "sh", "-c",
                "echo to-out; echo to-err >&2; echo more-out; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("to-out\nmore-out\n");
        assertThat(r.stderr()).isEqualTo("to-err\n");
    }

    @Test
    void shouldDeliverTenMegabytesOfOutputWhole() throws Exception {
        String script = "i=0; while [ $i -lt 10 ]; do head -c 1048576 /dev/zero | tr '\\0' \"$i\"; i=$((i+1)); done";
        String guestSum = vm.ok("(" + script + ") | sha256sum | cut -d' ' -f1").trim();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (ExecStream events = server.client().exec(vm.id, ExecRequest.shell(script))) {
            while (events.hasNext()) {
                ExecEvent e = events.next();
                if (e instanceof ExecEvent.Stdout out) {
                    sha.update(out.data());
                    total += out.data().length;
                } else if (e instanceof ExecEvent.Exit exit) {
                    assertThat(exit.exitCode()).isZero();
                }
            }
        }
        assertThat(total).isEqualTo(10L * 1024 * 1024);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(guestSum);
    }

    @Test
    void shouldRunFourCommandsAtOnce() throws Exception {
        // Each command records when it started and waits until all four have started: only true
        // concurrency lets them finish; serial execution would time out.
        vm.ok("rm -rf /tmp/conc && mkdir -p /tmp/conc");
        String script = "touch /tmp/conc/$N; n=0; while [ $(ls /tmp/conc | wc -l) -lt 4 ]; do "
                + "sleep 0.1; n=$((n+1)); [ $n -gt 600 ] && exit 9; done; echo done-$N";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ExecResult>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ExecRequest req = ExecRequest.shell(script).withEnv("N", "c" + i).withTimeoutSeconds(120);
                results.add(pool.submit(() -> server.client().execAndWait(vm.id, req)));
            }
            for (int i = 0; i < 4; i++) {
                ExecResult r = results.get(i).get();
                assertThat(r.exitCode()).as(r.stderrText()).isZero();
                assertThat(r.stdoutText()).isEqualTo("done-c" + i + "\n");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldFeedStdinAndHonourEnvAndWorkingDirectory() {
        ExecResult r = server.client().execAndWait(vm.id, ExecRequest.command("sh", "-c", "pwd; echo $GREETING; wc -c")
                .withEnv("GREETING", "hello from ember").withWorkingDirectory("/tmp")
                .withStdin("twelve bytes".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutText().lines().toList()).containsExactly("/tmp", "hello from ember", "12");
        assertThat(vm.ok("pwd")).isEqualTo("/workspace\n");
    }

    @Test
    void shouldPipeCliStdinWhenAsked() {
        EmberTestServer.CliResult r = server.cli("abc\n".getBytes(StandardCharsets.UTF_8),
                "exec", vm.id, "--stdin", "--", "tr", "a-z", "A-Z");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("ABC\n");
    }

    @Test
    void shouldPassUnicodeAndBinaryOutputUnchanged() {
        ExecResult r = vm.sh("printf 'h\\303\\251llo \\342\\234\\223\\n'; printf '\\000\\001\\377'");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("héllo ✓\n".getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(new byte[] {0, 1, (byte) 0xff});
        assertThat(r.stdout()).isEqualTo(expected.toByteArray());
    }
}
