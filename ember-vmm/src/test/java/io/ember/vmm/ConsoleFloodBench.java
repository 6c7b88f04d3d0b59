package io.ember.vmm;

import com.sun.management.OperatingSystemMXBean;
import io.ember.agent.AgentClient;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Figures for docs/vmm.md (run by bench/console-flood.sh; prints, asserts nothing): the exec round trip of `true` in
 * one microVM while a neighbour floods its serial console (`yes > /dev/console`), against the same without the flood,
 * and the share of a core this process (the console readers, the agent channels) spent meanwhile.
 */
public final class ConsoleFloodBench {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    public static void main(String[] args) throws Exception {
        int execs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        GuestAssets assets = GuestAssets.require();
        QemuDriver driver = new QemuDriver(QemuConfig.defaults());
        Path work = Files.createTempDirectory("ember-console-bench");
        System.out.printf("accelerator %s, %d CPUs, %d rounds of %d execs without and %d with the flood%n",
                driver.resolve(), Runtime.getRuntime().availableProcessors(), rounds, execs, execs);
        Vm quiet = driver.launch(assets.spec("bench-quiet", work.resolve("quiet"), "busybox", "quiet"));
        Vm noisy = driver.launch(assets.spec("bench-noisy", work.resolve("noisy"), "busybox", "noisy"));
        try (GuestAgent q = AgentClient.connect(quiet.agentSocket(), Duration.ofSeconds(5));
             GuestAgent n = AgentClient.connect(noisy.agentSocket(), Duration.ofSeconds(5))) {
            q.hello(Duration.ofSeconds(120));
            n.hello(Duration.ofSeconds(120));
            for (int i = 0; i < 20; i++) roundTrip(q); // warm-up
            // Alternating, so that both see the same load of a shared machine.
            List<Double> calm = new ArrayList<>(), flooded = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                calm.addAll(phase("round " + r + " without a flood", q, noisy, execs));
                try (ExecStream flood = n.exec(new ExecRequest(List.of("sh", "-c", "yes ember-console-flood > /dev/console"),
                        ENV, "/", Duration.ofMinutes(30), false))) {
                    flood.next(Duration.ofSeconds(5));
                    Thread.sleep(5000); // past the reader's burst allowance
                    flooded.addAll(phase("round " + r + " with the neighbour flooding", q, noisy, execs));
                }
            }
            summary("all rounds without a flood", calm);
            summary("all rounds with the neighbour flooding", flooded);
        } finally {
            quiet.terminate(Duration.ofSeconds(5));
            noisy.terminate(Duration.ofSeconds(5));
            QemuDriver.deleteWorkDir(work.resolve("quiet"));
            QemuDriver.deleteWorkDir(work.resolve("noisy"));
            Files.deleteIfExists(work);
        }
    }

    private static void summary(String name, List<Double> ms) {
        Collections.sort(ms);
        System.out.printf("%-40s exec `true` p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", name, ms.get(ms.size() / 2),
                ms.get((int) Math.ceil(ms.size() * 0.99) - 1), ms.getLast());
    }

    private static List<Double> phase(String name, GuestAgent agent, Vm noisy, int execs) throws Exception {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime(), qemu0 = cpuTicks(noisy.pid()), t0 = System.nanoTime();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < execs; i++) ms.add(roundTrip(agent));
        long wall = System.nanoTime() - t0;
        double share = (double) (os.getProcessCpuTime() - cpu0) / wall;
        double qemu = (cpuTicks(noisy.pid()) - qemu0) * 10e6 / wall; // USER_HZ = 100: a tick is 10 ms
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%-40s exec `true` p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms; this process %5.1f %%, "
                        + "the flooder's QEMU %5.1f %% of a core%n",
                name, sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.getLast(),
                100 * share, 100 * qemu);
        return ms;
    }

    /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
    private static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double roundTrip(GuestAgent agent) throws Exception {
        long t0 = System.nanoTime();
        try (ExecStream s = agent.exec(new ExecRequest(List.of("true"), ENV, "/", Duration.ofSeconds(30), false))) {
            while (!(s.next(Duration.ofSeconds(30)) instanceof ExecEvent.Exit)) {
                // Started, then Exit
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
