package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.AgentClient;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real QEMU (TCG here) booting the real busybox image with the real agent. */
class QemuDriverTest {
    static final Duration BOOT = Duration.ofSeconds(90);
    static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final QemuDriver driver = new QemuDriver(QemuConfig.defaults());
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();

    Vm launch(String name) throws Exception {
        Vm vm = driver.launch(assets.spec("vm-" + name, tmp.resolve(name), "busybox", "host-" + name));
        started.add(vm);
        return vm;
    }

    GuestAgent agent(Vm vm) throws Exception {
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        agents.add(a);
        try {
            a.hello(BOOT);
        } catch (io.ember.agent.AgentException e) {
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()), e);
        }
        return a;
    }

    @AfterEach
    void stopEverything() {
        agents.forEach(GuestAgent::close);
        for (Vm vm : started) {
            vm.terminate(Duration.ofSeconds(2));
            assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    static String run(GuestAgent a, String... argv) throws Exception {
        try (ExecStream s = a.exec(new ExecRequest(List.of(argv), ENV, "/", Duration.ofSeconds(60), false))) {
            var out = new ByteArrayOutputStream();
            while (true) {
                ExecEvent e = s.next(Duration.ofSeconds(70));
                if (e instanceof ExecEvent.Stdout o) out.writeBytes(o.data());
                if (e instanceof ExecEvent.Exit x) {
                    assertThat(x.exitCode()).as("exit of %s", List.of(argv)).isZero();
                    return out.toString(StandardCharsets.UTF_8);
                }
                if (e == null) throw new AssertionError("no output or exit for 70 s");
            }
        }
    }

    @Test
    void launch_bootsAGuestWithItsOwnKernelAndAgent_thenTerminateLeavesNoProcess() throws Exception {
        Vm vm = launch("boot");
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        agents.add(a);
        var info = a.hello(BOOT);
        assertThat(info.hostname()).isEqualTo("host-boot");
        assertThat(info.protocolVersion()).isEqualTo(2);
        assertThat(info.kernel()).isNotBlank().isNotEqualTo(System.getProperty("os.version"));
        assertThat(run(a, "uname", "-r").strip()).isEqualTo(info.kernel());
        assertThat(Files.readString(tmp.resolve("boot/qemu.pid")).strip()).isEqualTo(Long.toString(vm.pid()));
        assertThat(Files.readString(vm.consoleLog())).contains("ember-init: switch_root");
        assertThat(Files.exists(tmp.resolve("boot/disk.qcow2"))).isTrue();

        vm.terminate(Duration.ofSeconds(10));
        VmExit exit = vm.exited().getNow(null);
        assertThat(exit).isNotNull();
        assertThat(exit.requested()).isTrue();
        assertThat(exit.exitCode()).isZero(); // QMP quit, no SIGKILL needed
        assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(a.failure().get(5, TimeUnit.SECONDS)).contains("closed");
        QemuDriver.deleteWorkDir(tmp.resolve("boot"));
        assertThat(tmp.resolve("boot")).doesNotExist();
    }

    @Test
    void killedVmm_completesExitedWithTheReason() throws Exception {
        Vm vm = launch("kill");
        GuestAgent a = agent(vm);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(vm.pid())).start();
        assertThat(kill.waitFor()).isZero();
        VmExit exit = vm.exited().get(5, TimeUnit.SECONDS);
        assertThat(exit.requested()).isFalse();
        assertThat(exit.reason()).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(a.failure().get(5, TimeUnit.SECONDS)).startsWith("agent channel closed");
    }

    @Test
    void adopt_reattachesToItsOwnProcessOnly() throws Exception {
        Vm vm = launch("adopt");
        GuestAgent a = agent(vm);
        VmSpec spec = assets.spec("vm-adopt", tmp.resolve("adopt"), "busybox", "host-adopt");
        ((QemuVm) vm).detachConsole(); // what a server restart does to the console reader

        QemuDriver restarted = new QemuDriver(QemuConfig.defaults());
        assertThat(restarted.adopt(assets.spec("vm-other", tmp.resolve("other"), "busybox", "x"), vm.pid())).isEmpty();
        assertThat(restarted.adopt(spec, ProcessHandle.current().pid())).as("a pid that is not this VM's").isEmpty();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertThat(restarted.adopt(spec, gone.pid())).isEmpty();

        Vm adopted = restarted.adopt(spec, vm.pid()).orElseThrow();
        started.add(adopted);
        assertThat(adopted.pid()).isEqualTo(vm.pid());
        run(a, "sh", "-c", "echo adopted-console-works > /dev/console");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(adopted.consoleLog()).contains("adopted-console-works") && System.nanoTime() < deadline)
            Thread.sleep(50);
        assertThat(Files.readString(adopted.consoleLog())).contains("adopted-console-works");

        adopted.terminate(Duration.ofSeconds(10));
        assertThat(adopted.exited().getNow(null).requested()).isTrue();
        assertThat(vm.exited().get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void console_staysBoundedWhenTheGuestFloodsIt() throws Exception {
        Vm vm = launch("flood");
        GuestAgent a = agent(vm);
        Path log = vm.consoleLog(), old = log.resolveSibling("console.log.1");
        long bound = 2 * ConsoleLog.DEFAULT_PER_FILE;
        // The serial line moves about 200 KB/s under TCG: flood until the log rotated, then 3 s more.
        try (ExecStream s = a.exec(new ExecRequest(List.of("sh", "-c", "yes ember-console-flood > /dev/console"), ENV, "/",
                Duration.ofSeconds(90), false))) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(80);
            boolean rotated = false;
            while (System.nanoTime() < until) {
                long total = Files.size(log) + (Files.exists(old) ? Files.size(old) : 0);
                assertThat(total).as("console.log + console.log.1").isLessThanOrEqualTo(bound);
                if (!rotated && Files.exists(old)) {
                    rotated = true;
                    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                }
                Thread.sleep(100);
            }
            assertThat(rotated).as("the flood filled console.log at least once").isTrue();
            assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Started.class);
            assertThat(s.next(Duration.ofMillis(10))).as("still flooding").isNull();
        }
        assertThat(Files.size(log) + Files.size(old)).isLessThanOrEqualTo(bound);
        assertThat(Files.readString(old)).contains("ember-console-flood");
        assertThat(a.failure()).isNotDone();
    }

    @Test
    void launch_reportsQemuFailuresAndMissingAssets() {
        VmSpec missing = new VmSpec("vm-x", tmp.resolve("x"), tmp.resolve("no-kernel"), assets.initrd(),
                assets.rootfs("busybox"), 1, 128, "x", List.of());
        assertThatThrownBy(() -> driver.launch(missing)).isInstanceOf(VmmException.class)
                .hasMessageContaining("no-kernel").hasMessageContaining("bin/ember setup");
        var bad = new QemuDriver(new QemuConfig("qemu-system-x86_64", "qemu-img", Accelerator.TCG, List.of("-no-such-option")));
        assertThatThrownBy(() -> bad.launch(assets.spec("vm-bad", tmp.resolve("bad"), "busybox", "bad")))
                .isInstanceOf(VmmException.class).hasMessageContaining("during start").hasMessageContaining("no-such-option");
    }
}
