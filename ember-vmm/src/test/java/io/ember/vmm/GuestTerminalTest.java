package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import io.ember.agent.Terminal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real QEMU (TCG), the busybox guest: an exec on a terminal of the agent as PID 1. Needs the `pty` feature. */
class GuestTerminalTest {
    @TempDir
    Path tmp;

    @Test
    void anExecOnATerminal_hasItsSize_takesTypedInput_followsResizes_andExits() throws Exception {
        GuestAssets assets = GuestAssets.require();
        QemuDriver driver = new QemuDriver(QemuConfig.defaults());
        Vm vm = driver.launch(assets.spec("vm-pty", tmp.resolve("pty"), "busybox", "host-pty"));
        try (GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            try {
                agent.hello(QemuDriverTest.BOOT);
            } catch (AgentException e) {
                throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()), e);
            }
            ExecRequest r = new ExecRequest(List.of("/bin/sh", "-c", "tty; stty size; read x; echo got:$x; stty size; exit 3"),
                    Map.of("PATH", "/bin:/usr/bin"), null, Duration.ofSeconds(60), false).withTerminal(new Terminal(30, 100));
            try (ExecStream s = agent.exec(r)) {
                var out = new ByteArrayOutputStream();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                ExecEvent.Exit exit = null;
                boolean typed = false;
                while (exit == null && System.nanoTime() < deadline) {
                    switch (s.next(Duration.ofSeconds(5))) {
                        case ExecEvent.Stdout o -> out.writeBytes(o.data());
                        case ExecEvent.Exit x -> exit = x;
                        case null, default -> { }
                    }
                    if (!typed && out.toString(StandardCharsets.UTF_8).contains("30 100\r\n")) {
                        typed = true;
                        s.resize(2, 1000);
                        byte[] line = "abc\r".getBytes(StandardCharsets.UTF_8);
                        s.writeStdin(line, 0, line.length);
                    }
                }
                String text = out.toString(StandardCharsets.UTF_8);
                assertThat(exit).as(text).isEqualTo(new ExecEvent.Exit(3, 0, false));
                assertThat(text).contains("/dev/pts/").contains("got:abc\r\n").contains("2 1000\r\n");
            }
        } finally {
            vm.terminate(Duration.ofSeconds(2));
        }
        assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    }
}
