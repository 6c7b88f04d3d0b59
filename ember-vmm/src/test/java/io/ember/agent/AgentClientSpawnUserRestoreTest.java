package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * USER, SPAWN and RESTORED against the real C agent in host mode (users from this host's /etc/passwd).
 * In host mode RESTORED must be refused: the agent runs as root here and would otherwise set the host's clock.
 */
class AgentClientSpawnUserRestoreTest {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LC_ALL", "C");
    @TempDir
    Path dir;
    RealAgent agent;
    GuestAgent client;

    @BeforeEach
    void start() throws Exception {
        agent = new RealAgent(dir);
        client = agent.client;
        client.hello(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    String run(String user, String script) throws Exception {
        try (ExecStream s = client.exec(new ExecRequest(List.of("sh", "-c", script), ENV, "/", Duration.ofSeconds(30), false, user))) {
            var out = new ByteArrayOutputStream();
            assertThat(s.next(Duration.ofSeconds(5))).isInstanceOf(ExecEvent.Started.class);
            while (true) {
                switch (s.next(Duration.ofSeconds(30))) {
                    case ExecEvent.Stdout o -> out.writeBytes(o.data());
                    case ExecEvent.Exit x -> {
                        assertThat(x.exitCode()).as(out.toString()).isZero();
                        return out.toString(StandardCharsets.UTF_8);
                    }
                    case null, default -> { }
                }
            }
        }
    }

    @Test
    void exec_asAUser_nameOrUidWithOptionalGroup() throws Exception {
        assertThat(run("nobody", "echo $(id -u) $(id -g) $(id -G)")).isEqualTo("65534 65534 65534\n");
        assertThat(run("nobody:0", "echo $(id -u) $(id -g) $(id -G)")).isEqualTo("65534 0 0\n");
        assertThat(run("4242:4243", "echo $(id -u) $(id -g)")).isEqualTo("4242 4243\n");
        assertThat(run(null, "id -u")).isEqualTo("0\n");
        assertThatThrownBy(() -> run("no-such-user", "true")).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.errno()).isEqualTo(2);
            assertThat(e.getMessage()).contains("unknown user 'no-such-user'");
            assertThat(e.channelBroken()).isFalse();
        });
        assertThatThrownBy(() -> run("nobody:no-such-group", "true")).isInstanceOf(AgentException.class)
                .hasMessageContaining("unknown group 'no-such-group'");
        assertThat(client.failure()).isNotDone();
    }

    @Test
    void spawn_runsDetached_appendsToItsLog_andOutlivesTheAgent() throws Exception {
        Path log = dir.resolve("job.log");
        int pid = client.spawn(new ExecRequest(List.of("sh", "-c", "echo started; echo oops >&2; exec sleep 60"), ENV, "/",
                null, false, "nobody"), log.toString());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(Files.exists(log) && Files.readString(log).contains("oops")) && System.nanoTime() < deadline)
                Thread.sleep(20);
            assertThat(Files.readString(log)).isEqualTo("started\noops\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
            assertThat(Files.readString(Path.of("/proc/" + pid + "/status"))).containsPattern("Uid:\\s+65534");
            assertThat(client.failure()).isNotDone(); // the stream ended with STARTED, nothing more came

            agent.close(); // the host hangs up: the agent exits and kills its EXECs, not what it spawned
            assertThat(agent.process.isAlive()).isFalse();
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void spawn_refusesStdinTimeoutAndBadPaths() throws Exception {
        assertThatThrownBy(() -> client.spawn(new ExecRequest(List.of("true"), ENV, "/", Duration.ofSeconds(1), false), null))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> client.spawn(new ExecRequest(List.of("true"), ENV, "/", null, false), "relative.log"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> client.spawn(new ExecRequest(List.of("no-such-cmd"), ENV, "/", null, false), null))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(2));
        int pid = client.spawn(new ExecRequest(List.of("true"), ENV, "/", null, false), null);
        assertThat(pid).isPositive();
        assertThat(client.failure()).isNotDone();
    }

    @Test
    void restored_isValidatedThenRefusedOnTheHost_leavingItsClockAlone() throws Exception {
        Instant now = Instant.now(); // even a failed guard would not move the clock
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        assertThatThrownBy(() -> client.restored(new RestoreFixup(now, new byte[32], "bad_name", true), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> client.restored(new RestoreFixup(now, new byte[64], "fine", true), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.errno()).isEqualTo(1); // EPERM
                    assertThat(e.getMessage()).contains("--connect");
                });
        // NET reaches the agent (it has restored-net) and passes its checks: then the same refusal
        GuestNet net = new GuestNet("198.51.100.2", 30, "198.51.100.1", "169.254.169.253", "02:eb:00:00:00:01");
        assertThatThrownBy(() -> client.restored(new RestoreFixup(now, new byte[32], null, false, net), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(1));
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(hostname);
        assertThat(Duration.between(now, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(client.failure()).isNotDone();
    }
}
