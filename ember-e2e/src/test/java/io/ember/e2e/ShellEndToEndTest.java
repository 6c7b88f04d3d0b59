package io.ember.e2e;

import io.ember.endpoint.AuthTokens;
import java.time.Clock;
import java.time.Duration;
import io.ember.sdk.AccessDeniedException;
import io.ember.sdk.Shell;
import io.ember.sdk.ShellExit;
import io.ember.sdk.ShellOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shell of a real busybox microVM: a terminal over a WebSocket, through the SDK and `ember shell`. */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShellEndToEndTest extends OneVmPerClass {
    /** Shell tokens need SHELL_INGRESS (or ALL_INGRESS), as in AWS. */
    @Override
    protected io.ember.sdk.RunMicrovmRequest request() {
        return super.request().withIngressNetworkConnectors(java.util.List.of(io.ember.sdk.NetworkConnector.ALL_INGRESS));
    }


    /** Terminal output as it arrives; {@link #await} waits for a piece of it. */
    static final class Screen {
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        synchronized void add(byte[] data) {
            seen.writeBytes(data);
            notifyAll();
        }

        synchronized String text() {
            return seen.toString(StandardCharsets.UTF_8);
        }

        synchronized void await(String want) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!text().contains(want)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new AssertionError("no " + want + " on the screen:\n" + text());
                wait(left);
            }
        }
    }

    private String token() {
        return server.client().createMicrovmShellAuthToken(vm.id, 5).value();
    }

    private static void type(Shell shell, String keys) {
        shell.send(keys.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRunAnInteractiveProgramOnATerminal_thatFollowsResizes() throws Exception {
        Screen screen = new Screen();
        String program = "tty; stty size; read line; echo \"got:$line\"; read go; stty size; exit 7";
        try (Shell shell = server.client().openShell(vm.id, token(), ShellOptions.of(30, 100).withCommand(program), screen::add)) {
            screen.await("30 100\r\n");
            type(shell, "hello there\r"); // Enter, as a terminal sends it
            screen.await("got:hello there\r\n");
            shell.resize(45, 132);
            type(shell, "\r");
            ShellExit exit = shell.exit().get(60, TimeUnit.SECONDS);
            assertThat(exit).isEqualTo(new ShellExit(7, 0));
            assertThat(screen.text()).contains("/dev/pts/").contains("hello there\r\n").contains("45 132\r\n");
        }
    }

    @Test
    void shouldOpenTheLoginShellAsRootInTheWorkspace() throws Exception {
        Screen screen = new Screen();
        try (Shell shell = server.client().openShell(vm.id, token(), 24, 80, screen::add)) {
            type(shell, "echo \"[$(id -u):$(pwd):$TERM:$((6*7))]\"\r");
            screen.await("[0:/workspace:xterm-256color:42]");
            type(shell, "sh -c 'echo sl\"\"eeping; exec sleep 600'\r");
            screen.await("sleeping"); // said by the job itself: it runs, and the terminal is back in cooked mode
            type(shell, "\u0003"); // Ctrl-C reaches the foreground job, not the shell
            type(shell, "echo st\"\"ill-here; exit 5\r"); // the output differs from the terminal's echo
            assertThat(shell.exit().get(60, TimeUnit.SECONDS)).isEqualTo(new ShellExit(5, 0));
            assertThat(screen.text()).contains("still-here");
        }
    }

    @Test
    void closingTheShell_killsItsProcess() throws Exception {
        Screen screen = new Screen();
        Shell shell = server.client().openShell(vm.id, token(), ShellOptions.of(24, 80).withCommand("echo up; exec sleep 3001"),
                screen::add);
        screen.await("up");
        assertThat(vm.ok("ps")).contains("sleep 3001");
        shell.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (vm.ok("ps").contains("sleep 3001")) {
            assertThat(System.nanoTime()).as("the shell's process outlived its socket").isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThatThrownBy(() -> shell.exit().get(10, TimeUnit.SECONDS)).hasMessageContaining("without an exit status");
    }

    @Test
    void shouldRefuseMissingExpiredForeignAndEndpointTokens() {
        assertDenied("", "missing");
        assertDenied("not-a-token", "malformed");
        assertDenied(AuthTokens.open(server.dataDir(), Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))
                .issueShell(vm.id, Duration.ofMinutes(60)), "expired");
        assertDenied(AuthTokens.open(server.dataDir()).issueShell("mvm-0123456789abcdef01234567", Duration.ofMinutes(5)),
                "another microVM");
        Rest.Answer endpoint = Rest.postJson(server, "/2025-09-09/microvms/" + vm.id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}", Map.of());
        assertThat(endpoint.status()).isEqualTo(200);
        assertDenied(endpoint.body().path("authToken").path("X-aws-proxy-auth").asText(), "not a shell token");
    }

    private void assertDenied(String token, String why) {
        assertThatThrownBy(() -> server.client().openShell(vm.id, token, 24, 80, data -> { }))
                .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(403);
                    assertThat(e.getMessage()).contains(why);
                });
    }

    @Test
    void shouldDriveEmberShellWithPipedInput_andExitWithTheRemoteStatus() {
        EmberTestServer.CliResult r = server.cli("echo from-the-cli-$((40+2))\nexit 7\n".getBytes(StandardCharsets.UTF_8),
                "shell", vm.id);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(7);
        assertThat(r.stdout()).contains("from-the-cli-42");

        // The end of piped input is Ctrl-D: the program sees end of file.
        r = server.cli("one\ntwo\n".getBytes(StandardCharsets.UTF_8), "shell", vm.id, "--command", "wc -l; exit 3");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(3);
        assertThat(r.stdout()).contains("2\r\n");

        r = server.cli("create-microvm-shell-auth-token", "--microvm-identifier", vm.id, "--expiration-in-minutes", "2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("\"X-aws-proxy-auth\": \"");
    }
}
