package io.ember.vmm;

import io.ember.agent.AgentClient;
import io.ember.agent.GuestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Figures for docs/vmm.md, "Snapshots" (run by bench/vmm-snapshot.sh; prints medians, asserts nothing), busybox
 * with 256 MiB, side by side in one run: cold boot with anonymous and with file-backed RAM (launch to HELLO_OK),
 * suspend (save: stop, state, VMM gone, fsync), resume in place and a clone (restore to HELLO_OK), and the
 * allocated bytes of vmstate and mem.ram.
 */
public final class SnapshotBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        GuestAssets assets = GuestAssets.require();
        QemuDriver fileRam = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
        QemuDriver anonRam = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(false));
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "ember-snapbench");
        System.out.printf("accelerator %s, %d CPUs, busybox 256 MiB, work dir %s%n", fileRam.resolve(),
                Runtime.getRuntime().availableProcessors(), work);
        List<Double> coldAnon = new ArrayList<>(), coldFile = new ArrayList<>(), suspend = new ArrayList<>(),
                resume = new ArrayList<>(), clone = new ArrayList<>(), stateKb = new ArrayList<>(), memKb = new ArrayList<>(),
                anonSuspend = new ArrayList<>(), anonResume = new ArrayList<>(), anonStateKb = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path anonDir = work.resolve("anon" + i), dir = work.resolve("vm" + i), cloneDir = work.resolve("clone" + i);
            VmSpec anonSpec = spec(assets, "anon" + i, anonDir);
            long a0 = System.nanoTime();
            Vm anon = anonRam.launch(anonSpec);
            try (GuestAgent a = AgentClient.connect(anon.agentSocket(), Duration.ofSeconds(5))) {
                a.hello(Duration.ofSeconds(120));
                coldAnon.add(ms(a0));
                QemuDriverTest.run(a, "sh", "-c", "dd if=/dev/urandom of=/tmp/blob bs=1M count=16 2>/dev/null; sync");
                a0 = System.nanoTime();
                Snapshot s = anonRam.save(anon, anonDir);
                anonSuspend.add(ms(a0));
                anonStateKb.add((double) du(s.vmstate()));
                a0 = System.nanoTime();
                Vm r = anonRam.restorePaused(anonSpec, s, false);
                try (GuestAgent b = AgentClient.connect(r.agentSocket(), Duration.ofSeconds(5))) {
                    anonRam.resume(r);
                    b.hello(Duration.ofSeconds(60));
                    anonResume.add(ms(a0));
                }
                r.terminate(Duration.ofSeconds(5));
            }
            VmSpec spec = spec(assets, "vm" + i, dir);
            long t0 = System.nanoTime();
            Vm vm = fileRam.launch(spec);
            GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
            a.hello(Duration.ofSeconds(120));
            coldFile.add(ms(t0));
            QemuDriverTest.run(a, "sh", "-c", "dd if=/dev/urandom of=/tmp/blob bs=1M count=16 2>/dev/null; sync");
            t0 = System.nanoTime();
            Snapshot snap = fileRam.save(vm, dir);
            suspend.add(ms(t0));
            a.close();
            stateKb.add((double) du(snap.vmstate()));
            memKb.add((double) du(snap.memory()));
            t0 = System.nanoTime();
            Vm r = fileRam.restorePaused(spec, snap, false);
            GuestAgent b = AgentClient.connect(r.agentSocket(), Duration.ofSeconds(5));
            fileRam.resume(r);
            b.hello(Duration.ofSeconds(60));
            resume.add(ms(t0));
            Snapshot again = fileRam.save(r, dir); // back to a snapshot (agent connected: docs/vmm.md), then clone from it
            b.close();
            t0 = System.nanoTime();
            Vm c = fileRam.restorePaused(spec(assets, "clone" + i, cloneDir), again, true);
            GuestAgent g = AgentClient.connect(c.agentSocket(), Duration.ofSeconds(5));
            fileRam.resume(c);
            g.hello(Duration.ofSeconds(60));
            clone.add(ms(t0));
            g.close();
            c.terminate(Duration.ofSeconds(5));
            for (Path p : List.of(anonDir, dir, cloneDir)) QemuDriver.deleteWorkDir(p);
        }
        print("cold boot, anonymous RAM (launch -> HELLO_OK)", coldAnon, "ms");
        print("cold boot, file-backed RAM (launch -> HELLO_OK)", coldFile, "ms");
        print("anonymous RAM: suspend (RAM into vmstate)", anonSuspend, "ms");
        print("anonymous RAM: resume -> HELLO_OK", anonResume, "ms");
        print("anonymous RAM: vmstate allocated", anonStateKb, "KiB");
        print("suspend: save() incl. VMM exit and fsync", suspend, "ms");
        print("resume in place: restore -> HELLO_OK", resume, "ms");
        print("clone (share=off): restore -> HELLO_OK", clone, "ms");
        print("vmstate allocated", stateKb, "KiB");
        print("mem.ram allocated (16 MiB /tmp blob inside)", memKb, "KiB");
        QemuDriver.deleteWorkDir(work);
    }

    static VmSpec spec(GuestAssets a, String name, Path dir) {
        return new VmSpec("bench-" + name, dir, a.kernel(), a.initrd(), a.rootfs("busybox"), 1, 256, "bench", List.of());
    }

    static double coldBoot(QemuDriver d, VmSpec spec, boolean stop) throws Exception {
        long t0 = System.nanoTime();
        Vm vm = d.launch(spec);
        try (GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            a.hello(Duration.ofSeconds(120));
            return ms(t0);
        } finally {
            if (stop) vm.terminate(Duration.ofSeconds(5));
        }
    }

    static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Allocated size (du), not the apparent one: the RAM file is sparse. */
    static long du(Path p) throws Exception {
        Process pr = new ProcessBuilder("du", "-k", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes()).trim();
        pr.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }

    static void print(String what, List<Double> xs, String unit) {
        List<Double> s = xs.stream().sorted().toList();
        double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        System.out.printf("%-50s median %.0f %s of %d (min %.0f, max %.0f)%n", what, median, unit, s.size(), s.getFirst(),
                s.getLast());
    }
}
