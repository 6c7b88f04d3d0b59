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
        agents.forEach(GuestAgent::close);
        for (Vm vm : started) vm.terminate(Duration.ofSeconds(2));
        for (TestNetns n : namespaces) n.close();
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
        // no -T: busybox 1.35's wget segfaults with it here
        String out = QemuDriverTest.run(a, "sh", "-c", "wget -q -O - " + url + " 2>&1 || { echo \"wget failed: $?\"; "
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
        assertThat(ns.ip("-d", "link", "show", "tap1")).contains("user " + uid + " group " + uid).contains("state UP");
        assertThat(ns.ip("-4", "-o", "addr", "show", "dev", "tap1")).contains("inet 198.51.100.5/30");
        assertThat(TestNetns.sh("ip", "-o", "link")).as("no tap in the host's namespace").doesNotContain(" tap1:");
        long qemu = JailedVmmTest.qemuPid(started.getFirst());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + ns.serverPid() + "/ns/net")));
    }
}
