package io.ember.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small internet for network tests, made of network namespaces this test run owns (never the host's uplink): a
 * "public" host on TEST-NET-2 (198.51.100.16k/28) with a web server on two addresses, a DNS server (dnsmasq) that
 * logs every query it gets, and a UDP listener that counts packets; and a "private LAN" host (10.99.k.2) behind a
 * host interface {@code lanInterface()}, the kind a connector's hostNetwork names. Slot k is held with a file lock so
 * test classes running at once get different ones.
 */
final class FakeInternet implements AutoCloseable {
    static final int UDP_PORT = 9999;
    private final int k;
    private final SlotLock slot;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    private FakeInternet(SlotLock slot, Path dir) {
        this.k = slot.index;
        this.slot = slot;
        this.dir = dir;
    }

    static FakeInternet start() throws IOException, InterruptedException {
        SlotLock slot = SlotLock.first(Path.of("/tmp/ember-fake-internet"), 16, "fake internet slot");
        FakeInternet f = new FakeInternet(slot, Files.createTempDirectory("ember-fakenet-"));
        try {
            f.up();
        } catch (IOException | InterruptedException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private String net(int host) {
        return "198.51.100." + (16 * k + host);
    }

    /** The host's end of the link (where the server's uplink traffic to the fake internet comes from). */
    String hostSide() { return net(1); }

    /** web.test: HTTP on port 80, and the DNS server. */
    String web() { return net(2); }

    /** other.test: a second web host. */
    String other() { return net(3); }

    String dns() { return web(); }

    /** The directory web.test serves. */
    Path webRoot() { return dir.resolve("web"); }

    String namespace() { return "fi" + k; }

    String lanInterface() { return "fl" + k + "h"; }

    String lanHost() { return "10.99." + k + ".2"; }

    private void up() throws IOException, InterruptedException {
        down();
        String ns = namespace(), h = "fi" + k + "h";
        sh("ip netns add " + ns,
                "ip link add " + h + " type veth peer name eth0 netns " + ns,
                "ip addr add " + net(1) + "/28 dev " + h, "ip link set " + h + " up",
                "ip -n " + ns + " link set lo up",
                "ip -n " + ns + " addr add " + net(2) + "/28 dev eth0",
                "ip -n " + ns + " addr add " + net(3) + "/28 dev eth0",
                "ip -n " + ns + " link set eth0 up",
                "ip -n " + ns + " route add default via " + net(1),
                "ip netns add fl" + k,
                "ip link add " + lanInterface() + " type veth peer name eth0 netns fl" + k,
                "ip addr add 10.99." + k + ".1/24 dev " + lanInterface(), "ip link set " + lanInterface() + " up",
                "ip -n fl" + k + " link set lo up",
                "ip -n fl" + k + " addr add " + lanHost() + "/24 dev eth0",
                "ip -n fl" + k + " link set eth0 up",
                "ip -n fl" + k + " route add default via 10.99." + k + ".1");
        for (String[] site : new String[][] {{web(), "web"}, {other(), "other"}}) {
            Path root = Files.createDirectories(dir.resolve(site[1]));
            Files.writeString(root.resolve("index.html"), "hello from " + site[1] + ".test\n");
            spawn(ns, "python3", "-m", "http.server", "--bind", site[0], "--directory", root.toString(), "80");
        }
        Path lanRoot = Files.createDirectories(dir.resolve("lan"));
        Files.writeString(lanRoot.resolve("index.html"), "private database\n");
        spawn("fl" + k, "python3", "-m", "http.server", "--bind", lanHost(), "--directory", lanRoot.toString(), "80");
        spawn(ns, "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--port=53", "--listen-address=" + web(),
                "--bind-interfaces", "--log-queries", "--log-facility=" + dir.resolve("dns.log"),
                "--address=/web.test/" + web(), "--address=/other.test/" + other(), "--address=/denied.test/" + web(),
                "--address=/lan.test/" + lanHost(), "--pid-file=");
        spawn(ns, "python3", "-c", "import socket,sys\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "s.bind(('" + web() + "'," + UDP_PORT + "))\n"
                + "f=open(sys.argv[1],'a')\n"
                + "while True:\n  d,a=s.recvfrom(65535)\n  f.write('%s\\n'%a[0]); f.flush()\n",
                dir.resolve("udp.log").toString());
        Thread.sleep(300);
        waitForPort(web(), 80);
        waitForPort(other(), 80);
    }

    /** UDP packets that reached the listener. */
    int udpPackets() throws IOException {
        Path f = dir.resolve("udp.log");
        return Files.exists(f) ? (int) Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    /** DNS queries dnsmasq received for names containing {@code name}. */
    int dnsQueries(String name) throws IOException {
        Path f = dir.resolve("dns.log");
        if (!Files.exists(f)) return 0;
        return (int) Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("query[") && l.contains(name)).count();
    }

    private void waitForPort(String address, int port) throws IOException, InterruptedException {
        for (int i = 0; i < 100; i++) {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace(), "python3", "-c",
                    "import socket;socket.create_connection(('" + address + "'," + port + "),1)").redirectErrorStream(true).start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) return;
            Thread.sleep(100);
        }
        throw new IOException("fake internet: nothing listens on " + address + ":" + port);
    }

    private void spawn(String ns, String... argv) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(argv));
        processes.add(new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(dir.resolve("proc-" + processes.size() + ".log").toFile()).start());
    }

    static void sh(String... commands) throws IOException, InterruptedException {
        for (String c : commands) {
            Process p = new ProcessBuilder("sh", "-c", c).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(c + " failed: " + out);
        }
    }

    private void down() {
        for (String c : List.of("ip netns del " + namespace(), "ip link del fi" + k + "h", "ip netns del fl" + k,
                "ip link del " + lanInterface())) {
            try {
                new ProcessBuilder("sh", "-c", c + " 2>/dev/null").start().waitFor(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // best effort
            }
        }
    }

    @Override
    public void close() {
        for (Process p : processes) { // ip netns exec execs the program: this pid is the server's
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        down();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory
        }
        try {
            slot.close();
        } catch (IOException e) {
            // released with the process anyway
        }
    }
}
