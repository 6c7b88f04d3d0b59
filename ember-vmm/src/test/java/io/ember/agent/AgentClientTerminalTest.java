package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Execs on a terminal: the real C agent for the behaviour, a fake guest for what the client sends and refuses. */
class AgentClientTerminalTest {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin");
    @TempDir
    Path dir;

    static ExecRequest sh(String script, Terminal t) {
        return new ExecRequest(List.of("sh", "-c", script), ENV, null, null, false).withTerminal(t);
    }

    /** Output until {@code want} has appeared (or the exit, which is returned). */
    static ExecEvent.Exit readUntil(ExecStream s, ByteArrayOutputStream out, String want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (want == null || !out.toString(StandardCharsets.UTF_8).contains(want)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no " + want + " in " + out);
            switch (s.next(Duration.ofSeconds(5))) {
                case ExecEvent.Stdout o -> out.writeBytes(o.data());
                case ExecEvent.Exit x -> {
                    return x;
                }
                case ExecEvent.Stderr e -> throw new AssertionError("stderr on a terminal: " + new String(e.data()));
                case null, default -> { }
            }
        }
        return null;
    }

    @Test
    void exec_onATerminal_hasItsSizeTakesInputAndResizes() throws Exception {
        try (RealAgent agent = new RealAgent(dir)) {
            assertThat(agent.client.hello(Duration.ofSeconds(5)).agent()).startsWith("ember-agent");
            ExecStream s = agent.client.exec(sh("tty; stty size; echo err >&2; read x; stty size; echo got:$x; exit 7",
                    new Terminal(30, 100)));
            try (s) {
                var out = new ByteArrayOutputStream();
                assertThat(s.next(Duration.ofSeconds(5))).isInstanceOf(ExecEvent.Started.class);
                readUntil(s, out, "err\r\n");
                s.resize(40, 120);
                byte[] line = "hi\n".getBytes(StandardCharsets.UTF_8);
                s.writeStdin(line, 0, line.length); // stdin without asking: the terminal is the process's stdin
                ExecEvent.Exit exit = readUntil(s, out, null);
                String text = out.toString(StandardCharsets.UTF_8);
                assertThat(text).contains("/dev/pts/").contains("30 100\r\n").contains("40 120\r\n").contains("got:hi\r\n");
                assertThat(exit).isEqualTo(new ExecEvent.Exit(7, 0, false));
                s.resize(10, 10); // after the exit: nothing to do, no failure
            }
            assertThat(agent.client.failure()).isNotDone();
        }
    }

    @Test
    void closeStdin_onATerminal_isEndOfInputAndTheTerminalStaysOpen() throws Exception {
        try (RealAgent agent = new RealAgent(dir)) {
            ExecStream s = agent.client.exec(sh("cat; echo cat-done; read y; echo y=$y", new Terminal(24, 80)));
            try (s) {
                var out = new ByteArrayOutputStream();
                s.next(Duration.ofSeconds(5));
                s.closeStdin();
                readUntil(s, out, "cat-done\r\n");
                byte[] line = "z\n".getBytes(StandardCharsets.UTF_8);
                s.writeStdin(line, 0, line.length);
                assertThat(readUntil(s, out, null).exitCode()).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("y=z\r\n");
            }
        }
    }

    @Test
    void resize_refusesSizesTheAgentWouldNot() throws Exception {
        try (RealAgent agent = new RealAgent(dir)) {
            assertThatThrownBy(() -> new Terminal(0, 80)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new Terminal(24, 1001)).isInstanceOf(IllegalArgumentException.class);
            try (ExecStream s = agent.client.exec(sh("read x", new Terminal(24, 80)))) {
                assertThatThrownBy(() -> s.resize(100_000, 80)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void exec_sendsTheTerminalFields_andRefusesItToAnAgentWithoutPty() throws Exception {
        try (FakeGuest guest = new FakeGuest(dir, FakeGuest.quick())) {
            CompletableFuture<ExecStream> started = CompletableFuture.supplyAsync(() -> {
                try {
                    return guest.client.exec(sh("true", new Terminal(33, 99)));
                } catch (AgentException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Frame exec = guest.read();
            Fields f = Fields.parse(exec.payload());
            assertThat(exec.type()).isEqualTo(Proto.EXEC);
            assertThat(List.of(f.integer(Proto.PTY), f.integer(Proto.ROWS), f.integer(Proto.COLS), f.integer(Proto.STDIN_F)))
                    .containsExactly(1L, 33L, 99L, 1L);
            guest.send(exec.stream(), Proto.STARTED, Fields.builder().integer(Proto.PID, 5));
            ExecStream s = started.get(5, TimeUnit.SECONDS);
            s.resize(12, 34);
            Frame resize = guest.read();
            Fields r = Fields.parse(resize.payload());
            assertThat(resize.type()).isEqualTo(Proto.RESIZE);
            assertThat(List.of(r.integer(Proto.ROWS), r.integer(Proto.COLS))).containsExactly(12L, 34L);

            CompletableFuture<AgentInfo> hello = CompletableFuture.supplyAsync(() -> {
                try {
                    return guest.client.hello(Duration.ofSeconds(5));
                } catch (AgentException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
            guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.FEATURES, "user,spawn,tcp"));
            hello.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> guest.client.exec(sh("true", new Terminal(24, 80))))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(AgentClient.ENOSYS));
            assertThat(guest.poll(200)).isNull();
        }
    }
}
