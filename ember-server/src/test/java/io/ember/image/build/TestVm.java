package io.ember.image.build;

import io.ember.agent.AgentClient;
import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import io.ember.vmm.QemuConfig;
import io.ember.vmm.QemuDriver;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real busybox microVM (QEMU, the guest assets in {@code assets}) with its agent connected; the minimal harness
 * of ember-vmm's QemuDriverTest. Terminated, by its pid, on close.
 */
final class TestVm implements AutoCloseable {
    final Vm vm;
    final GuestAgent agent;

    TestVm(Path assets, Path workDir, String name) throws Exception {
        for (Path p : List.of(assets.resolve("kernel/vmlinux"), assets.resolve("initramfs.cpio.gz"), rootfs(assets)))
            if (!Files.isReadable(p)) throw new AssertionError("guest asset " + p + " is missing: run `bin/ember setup`");
        VmSpec spec = new VmSpec("vm-" + name, workDir, assets.resolve("kernel/vmlinux"), assets.resolve("initramfs.cpio.gz"),
                rootfs(assets), 1, 128, "build-" + name, List.of());
        vm = new QemuDriver(QemuConfig.defaults()).launch(spec);
        GuestAgent a = null;
        try {
            a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(10));
            a.hello(Duration.ofSeconds(90));
        } catch (AgentException e) {
            if (a != null) a.close();
            vm.terminate(Duration.ofSeconds(2));
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()), e);
        }
        agent = a;
    }

    static Path defaultAssets() {
        String configured = System.getProperty("EMBER_ASSETS_DIR", System.getenv("EMBER_ASSETS_DIR"));
        return Path.of(configured != null ? configured : "/var/cache/ember");
    }

    private static Path rootfs(Path assets) {
        return assets.resolve("images/busybox/rootfs.ext4");
    }

    /** Runs a command as root and returns its stdout; fails on a non-zero exit. */
    String sh(String script) throws Exception {
        try (ExecStream s = agent.exec(new ExecRequest(List.of("/bin/sh", "-c", script),
                Map.of("PATH", DockerfileParser.DEFAULT_PATH), "/", Duration.ofSeconds(60), false))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                ExecEvent e = s.next(Duration.ofSeconds(70));
                if (e == null) throw new AssertionError("no exit of `" + script + "` within 70 s");
                if (e instanceof ExecEvent.Stdout o) out.writeBytes(o.data());
                if (e instanceof ExecEvent.Stderr o) out.writeBytes(o.data());
                if (e instanceof ExecEvent.Exit x) {
                    if (x.exitCode() != 0) throw new AssertionError("`" + script + "` exited " + x.exitCode() + ": " + out);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }

    @Override
    public void close() {
        agent.close();
        vm.terminate(Duration.ofSeconds(2));
        if (ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive).isPresent())
            throw new AssertionError("the VMM process " + vm.pid() + " outlived terminate");
    }
}
