package io.ember.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Figures for docs/vmm.md (run by bench/vmm-boot.sh; prints medians, asserts nothing):
 * launch to agent HELLO answered, per image; exec round trip of `true`.
 */
public final class VmmBench {
    public static void main(String[] args) throws Exception {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int execs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        GuestAssets assets = GuestAssets.require();
        QemuDriver driver = new QemuDriver(QemuConfig.defaults());
        Path work = Files.createTempDirectory("ember-bench");
        System.out.printf("accelerator %s, %d CPUs%n", driver.resolve(), Runtime.getRuntime().availableProcessors());
        for (String image : List.of("busybox", "debian")) {
            JsonNode meta = new ObjectMapper().readTree(assets.dir().resolve("images/" + image + "/image.json").toFile());
            List<Double> hello = new ArrayList<>(), exec = new ArrayList<>();
            for (int i = 0; i < boots; i++) {
                Path dir = work.resolve(image + i);
                VmSpec spec = new VmSpec("bench-" + image + i, dir, assets.kernel(), assets.initrd(), assets.rootfs(image),
                        meta.path("vcpus").asInt(1), meta.path("memoryMib").asInt(128), "bench-" + i, List.of());
                long t0 = System.nanoTime();
                Vm vm = driver.launch(spec);
                try (GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
                    agent.hello(Duration.ofSeconds(120));
                    hello.add((System.nanoTime() - t0) / 1e6);
                    if (i == 0) for (int k = 0; k < execs; k++) exec.add(trueRoundTrip(agent));
                } finally {
                    vm.terminate(Duration.ofSeconds(5));
                    QemuDriver.deleteWorkDir(dir);
                }
            }
            System.out.printf("%-8s launch -> HELLO_OK: median %.0f ms of %d %s%n", image, median(hello), boots, hello);
            System.out.printf("%-8s exec `true` round trip: median %.1f ms of %d (min %.1f, max %.1f)%n", image,
                    median(exec), exec.size(), exec.stream().mapToDouble(d -> d).min().orElse(0),
                    exec.stream().mapToDouble(d -> d).max().orElse(0));
        }
        QemuDriver.deleteWorkDir(work);
    }

    private static double trueRoundTrip(GuestAgent agent) throws Exception {
        long t0 = System.nanoTime();
        try (ExecStream s = agent.exec(new ExecRequest(List.of("true"), Map.of("PATH", "/usr/bin:/bin"), "/", null, false))) {
            ExecEvent e;
            while (!((e = s.next(Duration.ofSeconds(30))) instanceof ExecEvent.Exit)) if (e == null) throw new IllegalStateException("no exit");
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
