package io.ember.vmm;

import io.ember.agent.AgentClient;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * arm64 against x86-64 guests in one run (bench/vmm-arch.sh; prints medians with min-max, asserts nothing): the busybox
 * image, 1 vCPU, 128 MiB. Cold boot = launch to HELLO_OK (anonymous RAM); launch from a snapshot = restorePaused,
 * agent connected, resume, HELLO_OK (a clone of a file-backed template, as RunMicrovm of a built image does); exec =
 * the round trip of `true` on a booted guest. The arches alternate within each round, so host noise hits both alike.
 */
public final class ArchBench {
    public static void main(String[] args) throws Exception {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int execs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        GuestAssets x86 = GuestAssets.require();
        GuestAssets arm = x86.arm64();
        QemuDriver anonymous = new QemuDriver(QemuConfig.defaults());
        QemuDriver fileBacked = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
        Path work = Files.createTempDirectory(Path.of("/tmp"), "ember-arch");
        System.out.printf("host %s, accelerator for the host's arch: %s, %d CPUs; busybox, 1 vCPU, 128 MiB%n",
                Arch.host(), anonymous.resolve(), Runtime.getRuntime().availableProcessors());
        List<GuestAssets> sides = List.of(x86, arm);
        Map<Arch, List<Double>> boot = Map.of(Arch.X86_64, new ArrayList<>(), Arch.ARM64, new ArrayList<>());
        Map<Arch, List<Double>> clone = Map.of(Arch.X86_64, new ArrayList<>(), Arch.ARM64, new ArrayList<>());
        Map<Arch, List<Double>> exec = Map.of(Arch.X86_64, new ArrayList<>(), Arch.ARM64, new ArrayList<>());
        Map<Arch, Snapshot> templates = new java.util.EnumMap<>(Arch.class);
        for (GuestAssets a : sides) { // one template per arch, saved once
            VmSpec t = a.spec("tpl-" + a.arch().qemuName(), work.resolve("tpl-" + a.arch().qemuName()), "busybox", "tpl");
            Vm vm = fileBacked.launch(t);
            try (GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
                agent.hello(Duration.ofSeconds(120));
                templates.put(a.arch(), fileBacked.save(vm, work.resolve("snap-" + a.arch().qemuName())));
            }
        }
        for (int i = 0; i < boots; i++) {
            for (GuestAssets a : sides) {
                String name = a.arch().qemuName() + "-" + i;
                Path dir = work.resolve("boot-" + name);
                long t0 = System.nanoTime();
                Vm vm = anonymous.launch(a.spec("boot-" + name, dir, "busybox", "boot-" + i));
                try (GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
                    agent.hello(Duration.ofSeconds(120));
                    boot.get(a.arch()).add(ms(t0));
                    if (i == 0) for (int k = 0; k < execs; k++) exec.get(a.arch()).add(trueRoundTrip(agent));
                } finally {
                    vm.terminate(Duration.ofSeconds(5));
                    QemuDriver.deleteWorkDir(dir);
                }
                Path cdir = work.resolve("clone-" + name);
                long t1 = System.nanoTime();
                Vm c = fileBacked.restorePaused(a.spec("clone-" + name, cdir, "busybox", "tpl"), templates.get(a.arch()), true);
                try (GuestAgent agent = AgentClient.connect(c.agentSocket(), Duration.ofSeconds(5))) {
                    fileBacked.resume(c);
                    agent.hello(Duration.ofSeconds(60));
                    clone.get(a.arch()).add(ms(t1));
                } finally {
                    c.terminate(Duration.ofSeconds(5));
                    QemuDriver.deleteWorkDir(cdir);
                }
            }
        }
        System.out.printf("%-34s %22s %22s%n", "", "x86-64 (microvm)", "arm64 (virt)");
        row("cold boot, launch -> HELLO_OK", boot, "ms", 0);
        row("launch from snapshot -> HELLO_OK", clone, "ms", 0);
        row("exec `true` round trip", exec, "ms", 1);
        QemuDriver.deleteWorkDir(work);
    }

    private static void row(String label, Map<Arch, List<Double>> m, String unit, int decimals) {
        System.out.printf("%-34s %22s %22s%n", label, cell(m.get(Arch.X86_64), unit, decimals), cell(m.get(Arch.ARM64), unit, decimals));
    }

    private static String cell(List<Double> xs, String unit, int d) {
        String f = "%." + d + "f";
        return String.format(f + " %s (" + f + "-" + f + ")", median(xs), unit,
                xs.stream().mapToDouble(x -> x).min().orElse(0), xs.stream().mapToDouble(x -> x).max().orElse(0));
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double trueRoundTrip(GuestAgent agent) throws Exception {
        long t0 = System.nanoTime();
        try (ExecStream s = agent.exec(new ExecRequest(List.of("true"), Map.of("PATH", "/usr/bin:/bin"), "/", null, false))) {
            ExecEvent e;
            while (!((e = s.next(Duration.ofSeconds(30))) instanceof ExecEvent.Exit)) if (e == null) throw new IllegalStateException("no exit");
        }
        return ms(t0);
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
