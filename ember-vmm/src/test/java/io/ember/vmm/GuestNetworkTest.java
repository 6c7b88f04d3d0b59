package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestNet;
import io.ember.agent.RestoreFixup;
import io.ember.jail.Jail;
import io.ember.jail.JailConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU (TCG, jailed) and the busybox guest with a tap NIC in a network namespace the test creates; the guest
 * reaches an HTTP server the test runs inside that namespace on the tap's (gateway) address. TEST-NET addresses only:
 * no frame leaves the namespaces.
 */
class GuestNetworkTest {
    static Jail jail;
    static final int PORT = 8080;
    static final String DNS = "169.254.169.253";

    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();
    final List<TestNetns> namespaces = new ArrayList<>();

    @BeforeAll
    static void openJail() throws Exception {
        JailConfig defaults = JailConfig.defaults(GuestAssets.require().dir());
        jail = Jail.open(new JailConfig(defaults.jailer(), defaults.mountPoint(), defaults.idBase(), defaults.idCount(),
                "ember-test", defaults.memoryOverheadMib(), defaults.pidsMax(), defaults.nofile(), defaults.io()));
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            agents.forEach(GuestAgent::close);
            for (Vm vm : started) vm.terminate(Duration.ofSeconds(2));
        } finally {
            for (TestNetns n : namespaces) n.close();
        }
    }

    QemuDriver driver(boolean jailed, boolean fileBackedMemory) {
        QemuConfig c = QemuConfig.defaults().withFileBackedMemory(fileBackedMemory);
        return new QemuDriver(jailed ? c.withJail(jail) : c);
    }

    TestNetns netns(String suffix) throws Exception {
        TestNetns n = new TestNetns(suffix);
        namespaces.add(n);
        return n;
    }

    /** 198.51.100.(4k+2)/30 behind gateway .(4k+1), MAC 02:eb:00:00:00:k. */
    static Nic nic(TestNetns ns, int k) {
        String gw = "198.51.100." + (4 * k + 1);
        return new Nic(ns.path(), "tap" + k, gw + "/30",
                new GuestNet("198.51.100." + (4 * k + 2), 30, gw, DNS, String.format("02:eb:00:00:00:%02x", k)));
    }

    VmSpec spec(String name, Nic nic) {
        return assets.spec("vm-" + name + "-" + run, tmp.resolve(name), "busybox", "host-" + name).withNic(nic);
    }

    GuestAgent agent(Vm vm, QemuDriver resumeWith) throws Exception {
        started.add(vm);
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        agents.add(a);
        if (resumeWith != null) resumeWith.resume(vm);
        try {
            a.hello(QemuDriverTest.BOOT);
        } catch (io.ember.agent.AgentException e) {
            throw new AssertionError(e.getMessage() + "; qemu.log:\n" + Files.readString(vm.consoleLog().resolveSibling("qemu.log")), e);
        }
        return a;
    }

    /** What the guest fetches from http://GATEWAY:PORT/index.txt. */
    static String fetch(GuestAgent a, Nic nic) throws Exception {
        String url = "http://" + nic.guest().gateway() + ":" + PORT + "/index.txt";
        // timeout, not -T: busybox 1.35's wget segfaults with -T here
        String out = QemuDriverTest.run(a, "sh", "-c", "timeout 20 wget -q -O - " + url + " 2>&1 || { echo \"wget failed: $?\"; "
                + "ip addr; ip route; cat /proc/net/arp; }");
        assertThat(out).as("wget %s", url).doesNotContain("wget failed");
        return out;
    }

    /** The guest's eth0 is configured as {@code nic} says, and its resolver is the one DNS address. */
    static void assertConfigured(GuestAgent a, Nic nic) throws Exception {
        assertThat(QemuDriverTest.run(a, "cat", "/sys/class/net/eth0/address")).isEqualTo(nic.guest().mac() + "\n");
        assertThat(QemuDriverTest.run(a, "ip", "-4", "-o", "addr", "show", "dev", "eth0"))
                .contains("inet " + nic.guest().address() + "/" + nic.guest().prefix()).hasLineCount(1);
        assertThat(QemuDriverTest.run(a, "ip", "route").lines().filter(l -> l.startsWith("default")).map(String::strip))
                .containsExactly("default via " + nic.guest().gateway() + " dev eth0");
        assertThat(QemuDriverTest.run(a, "cat", "/etc/resolv.conf")).isEqualTo("nameserver " + DNS + "\n");
    }

    static RestoreFixup fixup(String hostname, GuestNet net) {
        byte[] entropy = new byte[32];
        new SecureRandom().nextBytes(entropy);
        return new RestoreFixup(Instant.now(), entropy, hostname, true, net);
    }

    @Test
    void jailed_reachesAServerOnItsGateway_throughATapOwnedByItsUid() throws Exception {
        TestNetns ns = netns("a");
        Nic nic = nic(ns, 1);
        QemuDriver d = driver(true, false);
        VmSpec spec = spec("a", nic);
        GuestAgent a = agent(d.launch(spec), null);
        ns.serve(nic.guest().gateway(), PORT, TestNetns.site(tmp, "hello-a"));
        assertThat(fetch(a, nic)).isEqualTo("hello-a\n");
        assertConfigured(a, nic);
        int uid = (Integer) Files.getAttribute(spec.workDir(), "unix:uid");
        assertThat(ns.ip("-d", "link", "show", "tap1")).contains("user " + uid + " group " + uid).contains("state UP")
                .contains("link/ether " + Taps.GATEWAY_MAC);
        assertThat(ns.ip("-4", "-o", "addr", "show", "dev", "tap1")).contains("inet 198.51.100.5/30");
        assertThat(TestNetns.sh("ip", "-o", "link")).as("no tap in the host's namespace").doesNotContain(" tap1:");
        long qemu = JailedVmmTest.qemuPid(started.getFirst());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + ns.serverPid() + "/ns/net")));
    }

    @Test
    void imageSnapshot_twoClonesGetTheirOwnMacAndAddress_andKeepThemAcrossSuspendResume() throws Exception {
        QemuDriver d = driver(true, true);
        TestNetns nsT = netns("t"), nsB = netns("b"), nsC = netns("c");
        Nic tNic = nic(nsT, 1), bNic = nic(nsB, 2), cNic = nic(nsC, 3);
        Vm t = d.launch(spec("t", tNic));
        GuestAgent ta = agent(t, null);
        nsT.serve(tNic.guest().gateway(), PORT, TestNetns.site(tmp, "template"));
        assertThat(fetch(ta, tNic)).isEqualTo("template\n"); // the template's ARP cache and connections: now stale
        Snapshot snap = d.save(t, tmp.resolve("image"));
        assertThat(snap.nic()).isTrue();
        assertThat(Snapshot.load(snap.dir()).nic()).isTrue();

        nsB.serve(bNic.guest().gateway(), PORT, TestNetns.site(tmp, "clone-b"));
        nsC.serve(cNic.guest().gateway(), PORT, TestNetns.site(tmp, "clone-c"));
        VmSpec bSpec = spec("b", bNic).withSharedFiles(List.of(snap.disk())), cSpec = spec("c", cNic);
        GuestAgent b = agent(d.restorePaused(bSpec, snap, true), d);
        GuestAgent c = agent(d.restorePaused(cSpec, snap, true), d);
        b.restored(fixup("clone-b", bNic.guest()), Duration.ofSeconds(10));
        c.restored(fixup("clone-c", cNic.guest()), Duration.ofSeconds(10));
        assertConfigured(b, bNic);
        assertConfigured(c, cNic);
        assertThat(fetch(b, bNic)).isEqualTo("clone-b\n");
        assertThat(fetch(c, cNic)).isEqualTo("clone-c\n");
        assertThat(nsB.ip("neigh", "show", "dev", "tap2")).contains("198.51.100.10").contains(bNic.guest().mac());

        // suspend a clone (RAM into its state file) and resume it in place: same tap, same address, no NET needed
        Vm bVm = started.get(1);
        Snapshot own = d.save(bVm, bSpec.workDir());
        assertThat(own.nic()).isTrue();
        GuestAgent b2 = agent(d.restorePaused(bSpec, own, false), d);
        b2.restored(fixup("clone-b", null), Duration.ofSeconds(10));
        assertConfigured(b2, bNic);
        assertThat(fetch(b2, bNic)).isEqualTo("clone-b\n");
    }

    @Test
    void arm64_jailed_reachesItsGateway_andAClonePutInAnotherNamespaceReachesItsOwn() throws Exception {
        GuestAssets arm = assets.arm64();
        QemuDriver d = driver(true, true);
        TestNetns nsT = netns("arm"), nsB = netns("armb");
        Nic tNic = nic(nsT, 6), bNic = nic(nsB, 7);
        VmSpec tSpec = arm.spec("vm-arm-" + run, tmp.resolve("arm"), "busybox", "host-arm").withNic(tNic);
        GuestAgent t = agent(d.launch(tSpec), null);
        nsT.serve(tNic.guest().gateway(), PORT, TestNetns.site(tmp, "arm-template"));
        assertThat(QemuDriverTest.run(t, "uname", "-m")).isEqualTo("aarch64\n");
        assertConfigured(t, tNic);
        assertThat(fetch(t, tNic)).isEqualTo("arm-template\n");
        Snapshot snap = d.save(started.getFirst(), tmp.resolve("arm-image"));
        assertThat(snap.nic()).isTrue();
        assertThat(snap.arch()).isEqualTo(Arch.ARM64);

        nsB.serve(bNic.guest().gateway(), PORT, TestNetns.site(tmp, "arm-clone"));
        VmSpec bSpec = arm.spec("vm-armb-" + run, tmp.resolve("armb"), "busybox", "host-armb").withNic(bNic);
        GuestAgent b = agent(d.restorePaused(bSpec, snap, true), d);
        b.restored(fixup("arm-clone", bNic.guest()), Duration.ofSeconds(20));
        assertConfigured(b, bNic);
        assertThat(fetch(b, bNic)).isEqualTo("arm-clone\n");
    }

    @Test
    void unjailed_detachedNic_bootsAndRestores_andASnapshotWithATapRestoresDetached() throws Exception {
        QemuDriver d = driver(false, true);
        GuestNet net = new GuestNet("198.51.100.2", 30, "198.51.100.1", DNS, "02:eb:00:00:00:09");
        VmSpec spec = spec("d", Nic.detached(net));
        GuestAgent a = agent(d.launch(spec), null);
        assertConfigured(a, Nic.detached(net));
        Snapshot own = d.save(started.getFirst(), spec.workDir());
        assertThat(own.nic()).isTrue();
        GuestAgent r = agent(d.restorePaused(spec.withNic(null), own, false), d); // networking off: still the device
        assertThat(QemuDriverTest.run(r, "cat", "/sys/class/net/eth0/address")).isEqualTo("02:eb:00:00:00:09\n");

        // unjailed on a tap (QEMU under nsenter, a root-owned tap); its snapshot restores with the NIC on nothing
        TestNetns ns = netns("u");
        Nic nic = nic(ns, 4);
        VmSpec u = spec("u", nic);
        GuestAgent ua = agent(d.launch(u), null);
        ns.serve(nic.guest().gateway(), PORT, TestNetns.site(tmp, "unjailed"));
        assertThat(fetch(ua, nic)).isEqualTo("unjailed\n");
        assertThat(ns.ip("-d", "link", "show", "tap4")).contains("user root group root");
        Snapshot image = d.save(started.get(2), tmp.resolve("image-u"));
        GuestAgent off = agent(d.restorePaused(spec("off", null), image, true), d);
        assertThat(QemuDriverTest.run(off, "sh", "-c", "ls /sys/class/net")).isEqualTo("eth0\nlo\n");
        String rx = "cat /sys/class/net/eth0/statistics/rx_packets";
        String out = QemuDriverTest.run(off, "sh", "-c", rx + "; timeout 3 wget -q -O - http://198.51.100.17:8080/index.txt 2>&1; "
                + "echo rc=$?; cat /sys/class/net/eth0/statistics/tx_packets; " + rx);
        List<String> lines = out.lines().toList();
        assertThat(lines).as("nothing behind a detached NIC: %s", out).doesNotContain("rc=0", "unjailed");
        assertThat(lines.getLast()).as("no frame came back").isEqualTo(lines.getFirst());
    }

    @Test
    void oldSnapshotWithoutNic_restoresWithoutOne_evenIntoASpecWithANic() throws Exception {
        QemuDriver d = driver(false, true);
        VmSpec spec = spec("o", null);
        agent(d.launch(spec), null);
        Snapshot snap = d.save(started.getFirst(), tmp.resolve("image-o"));
        assertThat(snap.nic()).isFalse();
        java.nio.file.Path manifest = snap.dir().resolve(Snapshot.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace(",\"nic\":false", "")); // as written before NICs
        assertThat(Snapshot.load(snap.dir()).nic()).isFalse();
        TestNetns ns = netns("o");
        GuestAgent a = agent(d.restorePaused(spec("o2", nic(ns, 5)), Snapshot.load(snap.dir()), true), d);
        assertThat(QemuDriverTest.run(a, "sh", "-c", "ls /sys/class/net")).isEqualTo("lo\n");
    }

    @Test
    void aNamespaceThatDoesNotExist_failsTheLaunchWithATypedError_andNoVmmIsLeft() throws Exception {
        Nic nic = new Nic(Path.of("/run/netns/ember-vmmtest-" + ProcessHandle.current().pid() + "-missing"), "tap0", "198.51.100.1/30",
                new GuestNet("198.51.100.2", 30, "198.51.100.1", DNS, "02:eb:00:00:00:0a"));
        VmSpec spec = spec("m", nic);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> driver(true, false).launch(spec))
                .isInstanceOf(VmmException.class).hasMessageContaining("cannot make tap tap0");
        assertThat(jail.cgroupDirectories(spec.vmId())).allSatisfy(dir -> assertThat(dir).doesNotExist());
        assertThat(Files.exists(new VmFiles(spec.workDir()).pidFile())).isFalse();
    }
}
