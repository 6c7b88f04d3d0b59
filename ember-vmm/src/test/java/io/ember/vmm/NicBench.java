package io.ember.vmm;

import io.ember.agent.AgentClient;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestNet;
import io.ember.agent.RestoreFixup;
import io.ember.jail.Jail;
import io.ember.jail.JailConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Figures for docs/vmm.md, "Network" (run by bench/vmm-nic.sh; prints medians, asserts nothing). Jailed, busybox
 * 128 MiB, file-backed RAM, side by side in one run: the tap's setup (one ip -batch), a cold launch to HELLO_OK and a
 * clone of an image snapshot to RESTORED answered, each without and with a NIC (namespaces made by this bench,
 * TEST-NET addresses, no traffic).
 */
public final class NicBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        GuestAssets assets = GuestAssets.require();
        JailConfig defaults = JailConfig.defaults(assets.dir());
        Jail jail = Jail.open(new JailConfig(defaults.jailer(), defaults.mountPoint(), defaults.idBase(), defaults.idCount(),
                "ember-bench", defaults.memoryOverheadMib(), defaults.pidsMax(), defaults.nofile(), defaults.io()));
        QemuDriver d = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true).withJail(jail));
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "ember-nicbench");
        List<TestNetns> namespaces = new ArrayList<>();
        try {
            TestNetns probe = new TestNetns("bench");
            namespaces.add(probe);
            List<Double> tap = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                Taps.recreate(nic(probe, 1), 4242, 4242);
                tap.add(ms(t0));
            }
            List<Double> separate = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // the same as four ip processes, for comparison
                long t0 = System.nanoTime();
                new ProcessBuilder("ip", "-n", probe.name, "link", "del", "dev", "tap1").start().waitFor();
                probe.ip("tuntap", "add", "dev", "tap1", "mode", "tap", "user", "4242", "group", "4242");
                probe.ip("addr", "add", "198.51.100.5/30", "dev", "tap1");
                probe.ip("link", "set", "dev", "tap1", "address", Taps.GATEWAY_MAC, "addrgenmode", "none", "up");
                separate.add(ms(t0));
            }
            System.out.printf("accelerator %s, %d CPUs, jailed, busybox 128 MiB%n", d.resolve(), Runtime.getRuntime().availableProcessors());
            System.out.printf("tap setup (ip -batch: del, tuntap add, addr add, link up): median %.1f ms (%.1f-%.1f) of 20%n",
                    median(tap), min(tap), max(tap));
            System.out.printf("the same as 4 ip processes: median %.1f ms (%.1f-%.1f) of 20%n", median(separate), min(separate), max(separate));

            TestNetns nsT = new TestNetns("tpl");
            namespaces.add(nsT);
            Snapshot plain = template(d, assets.spec("bench-tp", work.resolve("tp"), "busybox", "tp"), work.resolve("img-p"));
            Snapshot withNic = template(d, assets.spec("bench-tn", work.resolve("tn"), "busybox", "tn").withNic(nic(nsT, 1)),
                    work.resolve("img-n"));
            List<Double> coldOff = new ArrayList<>(), coldOn = new ArrayList<>(), cloneOff = new ArrayList<>(), cloneOn = new ArrayList<>();
            List<Double> restoredOff = new ArrayList<>(), restoredOn = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TestNetns ns = new TestNetns("r" + i);
                namespaces.add(ns);
                Nic nic = nic(ns, 2);
                coldOff.add(cold(d, assets.spec("bench-c" + i, work.resolve("c" + i), "busybox", "c")));
                coldOn.add(cold(d, assets.spec("bench-cn" + i, work.resolve("cn" + i), "busybox", "c").withNic(nic)));
                cloneOff.add(clone(d, assets.spec("bench-k" + i, work.resolve("k" + i), "busybox", "k"), plain, null, restoredOff));
                cloneOn.add(clone(d, assets.spec("bench-kn" + i, work.resolve("kn" + i), "busybox", "k").withNic(nic), withNic,
                        nic.guest(), restoredOn));
            }
            System.out.printf("%-46s %12s %12s%n", "median of " + n + " (min-max), ms", "no NIC", "NIC");
            System.out.printf("%-46s %12s %12s%n", "cold launch -> HELLO_OK", fmt(coldOff), fmt(coldOn));
            System.out.printf("%-46s %12s %12s%n", "clone restorePaused -> RESTORED answered", fmt(cloneOff), fmt(cloneOn));
            System.out.printf("%-46s %12s %12s%n", "  of which RESTORED (NET: MAC, address, route)", fmt(restoredOff), fmt(restoredOn));
        } finally {
            for (TestNetns ns : namespaces) ns.close();
            QemuDriver.deleteWorkDir(work);
        }
    }

    static Nic nic(TestNetns ns, int k) {
        String gw = "198.51.100." + (4 * k + 1);
        return new Nic(ns.path(), "tap" + k, gw + "/30",
                new GuestNet("198.51.100." + (4 * k + 2), 30, gw, "169.254.169.253", String.format("02:eb:00:00:00:%02x", k)));
    }

    static Snapshot template(QemuDriver d, VmSpec spec, Path image) throws Exception {
        Vm vm = d.launch(spec);
        try (GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            a.hello(Duration.ofSeconds(120));
            return d.save(vm, image);
        }
    }

    static double cold(QemuDriver d, VmSpec spec) throws Exception {
        long t0 = System.nanoTime();
        Vm vm = d.launch(spec);
        try (GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            a.hello(Duration.ofSeconds(120));
            return ms(t0);
        } finally {
            vm.terminate(Duration.ofSeconds(5));
        }
    }

    static double clone(QemuDriver d, VmSpec spec, Snapshot snap, GuestNet net, List<Double> restored) throws Exception {
        long t0 = System.nanoTime();
        Vm vm = d.restorePaused(spec, snap, true);
        try (GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            d.resume(vm);
            a.hello(Duration.ofSeconds(60));
            long r0 = System.nanoTime();
            a.restored(new RestoreFixup(Instant.now(), new byte[32], "k", true, net), Duration.ofSeconds(10));
            restored.add(ms(r0));
            return ms(t0);
        } finally {
            vm.terminate(Duration.ofSeconds(5));
        }
    }

    static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    static String fmt(List<Double> v) {
        return String.format("%.0f (%.0f-%.0f)", median(v), min(v), max(v));
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
