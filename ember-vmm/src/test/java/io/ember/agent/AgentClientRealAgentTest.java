package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real C agent (guest/agent/build/ember-agent in host mode). */
class AgentClientRealAgentTest {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LC_ALL", "C");
    @TempDir
    Path dir;
    RealAgent agent;
    GuestAgent client;

    @BeforeEach
    void start() throws Exception {
        agent = new RealAgent(dir);
        client = agent.client;
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    record Result(ByteArrayOutputStream out, ByteArrayOutputStream err, ExecEvent.Exit exit) {
        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    Result run(Duration timeout, byte[] stdin, String... argv) throws Exception {
        ExecStream s = client.exec(new ExecRequest(List.of(argv), ENV, null, timeout, stdin != null));
        try (s) {
            if (stdin != null) {
                CompletableFuture.runAsync(() -> {
                    try {
                        s.writeStdin(stdin, 0, stdin.length);
                        s.closeStdin();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
            }
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            assertThat(s.next(Duration.ofSeconds(5))).isInstanceOf(ExecEvent.Started.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                ExecEvent e = s.next(Duration.ofSeconds(5));
                switch (e) {
                    case ExecEvent.Stdout o -> out.writeBytes(o.data());
                    case ExecEvent.Stderr o -> err.writeBytes(o.data());
                    case ExecEvent.Exit x -> {
                        return new Result(out, err, x);
                    }
                    case null, default -> { }
                }
            }
            throw new AssertionError("no EXIT within 60 s");
        }
    }

    Result sh(String script) throws Exception {
        return run(null, null, "sh", "-c", script);
    }

    @Test
    void hello_describesTheAgent() throws Exception {
        AgentInfo info = client.hello(Duration.ofSeconds(5));
        assertThat(info.protocolVersion()).isEqualTo(2);
        assertThat(info.agent()).startsWith("ember-agent");
        assertThat(info.kernel()).isNotBlank();
    }

    @Test
    void exec_reportsExitCodesAndSignals() throws Exception {
        assertThat(sh("exit 0").exit()).isEqualTo(new ExecEvent.Exit(0, 0, false));
        assertThat(sh("exit 1").exit()).isEqualTo(new ExecEvent.Exit(1, 0, false));
        assertThat(sh("exit 42").exit()).isEqualTo(new ExecEvent.Exit(42, 0, false));
        assertThat(sh("kill -9 $$").exit()).isEqualTo(new ExecEvent.Exit(-1, 9, false));
        assertErrno(() -> run(null, null, "no-such-command-here"), 2);
        assertThat(client.failure()).isNotDone();
    }

    @Test
    void exec_keepsStdoutAndStderrApart() throws Exception {
        Result r = sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2");
        assertThat(r.stdout()).isEqualTo("out1\nout2\n");
        assertThat(r.err().toString(StandardCharsets.UTF_8)).isEqualTo("err1\nerr2\n");
    }

    @Test
    void exec_deliversTenMegabytesWhole() throws Exception {
        Result r = run(null, null, "seq", "1", "1400000");
        StringBuilder want = new StringBuilder(10_200_000);
        for (int i = 1; i <= 1_400_000; i++) want.append(i).append('\n');
        assertThat(r.out().size()).isEqualTo(want.length()).isGreaterThan(10_000_000);
        assertThat(sha(r.out().toByteArray())).isEqualTo(sha(want.toString().getBytes(StandardCharsets.US_ASCII)));
        assertThat(r.exit().exitCode()).isZero();
    }

    @Test
    void exec_runsFourCommandsAtOnce() throws Exception {
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int n = k;
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return sh("i=0; while [ $i -lt 3000 ]; do echo " + n + "-$i; i=$((i+1)); done; exit " + n);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (int k = 0; k < 4; k++) {
            Result r = runs.get(k).get(120, TimeUnit.SECONDS);
            StringBuilder want = new StringBuilder();
            for (int i = 0; i < 3000; i++) want.append(k).append('-').append(i).append('\n');
            assertThat(r.stdout()).isEqualTo(want.toString());
            assertThat(r.exit().exitCode()).isEqualTo(k);
        }
    }

    @Test
    void exec_feedsStdinBeyondTheWindow() throws Exception {
        byte[] in = new byte[1_500_000];
        new Random(1).nextBytes(in);
        Result r = run(null, in, "cat");
        assertThat(sha(r.out().toByteArray())).isEqualTo(sha(in));
        assertThat(r.exit().exitCode()).isZero();
    }

    @Test
    void exec_timeoutKillsTheCommand() throws Exception {
        long t0 = System.nanoTime();
        Result r = run(Duration.ofMillis(500), null, "sleep", "30");
        assertThat(r.exit()).isEqualTo(new ExecEvent.Exit(-1, 9, true));
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void exec_signalAndCloseReachTheProcess() throws Exception {
        try (ExecStream s = client.exec(new ExecRequest(List.of("sleep", "100"), ENV, null, null, false))) {
            s.next(Duration.ofSeconds(1));
            s.signal(15);
            assertThat(s.next(Duration.ofSeconds(5))).isEqualTo(new ExecEvent.Exit(-1, 15, false));
        }
        ExecStream s = client.exec(new ExecRequest(List.of("sleep", "100"), ENV, null, null, false));
        long pid = ((ExecEvent.Started) s.next(Duration.ofSeconds(1))).pid();
        assertThat(ProcessHandle.of(pid)).isPresent();
        s.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(ProcessHandle.of(pid)).as("closing the stream kills the process").isEmpty();
        assertThat(client.failure()).isNotDone();
    }

    @Test
    void files_roundTripTwentyMegabytes() throws Exception {
        byte[] data = new byte[20 * 1024 * 1024];
        new Random(2).nextBytes(data);
        String path = agent.workspace.resolve("big.bin").toString();
        client.writeFile(path, 0600, new ByteArrayInputStream(data));
        assertThat(sha(Files.readAllBytes(Path.of(path)))).isEqualTo(sha(data));
        var back = new ByteArrayOutputStream();
        assertThat(client.readFile(path, back)).isEqualTo(data.length);
        assertThat(sha(back.toByteArray())).isEqualTo(sha(data));
        FileStat st = client.stat(path);
        assertThat(st).isEqualTo(new FileStat(path, "file", data.length, 0600, st.mtimeMillis()));
    }

    @Test
    void files_statListMkdirRemoveAndTheirErrors() throws Exception {
        String ws = agent.workspace.toString();
        client.mkdir(ws + "/a/b/c", true);
        client.mkdir(ws + "/a/b/c", true); // parents: an existing directory is fine
        assertErrno(() -> client.mkdir(ws + "/a", false), 17);
        assertErrno(() -> client.mkdir(ws + "/x/y", false), 2);
        client.writeFile(ws + "/a/f.txt", 0644, new ByteArrayInputStream("hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(client.list(ws + "/a")).extracting(FileStat::name, FileStat::type)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("b", "directory"),
                        org.assertj.core.groups.Tuple.tuple("f.txt", "file"));
        assertThat(client.stat(ws + "/a").type()).isEqualTo("directory");
        assertErrno(() -> client.stat(ws + "/nope"), 2);
        assertErrno(() -> client.list(ws + "/a/f.txt"), 20);
        assertErrno(() -> client.readFile(ws + "/a", new ByteArrayOutputStream()), 21);
        assertErrno(() -> client.writeFile(ws + "/nope/f", 0644, new ByteArrayInputStream(new byte[3])), 2);
        assertErrno(() -> client.remove(ws + "/a", false), 39);
        client.remove(ws + "/a", true);
        assertErrno(() -> client.stat(ws + "/a"), 2);
        assertErrno(() -> client.stat("relative"), 22);
        assertThat(client.list(ws)).isEmpty();
        assertThat(client.failure()).isNotDone();
    }

    interface Call {
        void run() throws Exception;
    }

    private static void assertErrno(Call call, int errno) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
            assertThat(e.channelBroken()).isFalse();
        });
    }

    static String sha(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
