package io.ember.e2e;

import io.ember.network.VmNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a guest on a microVM's network without booting one: a veth named like the VMM's tap inside the
 * microVM's namespace, its other end in a namespace of its own configured as the agent configures a guest (address,
 * gateway, resolv.conf at 169.254.169.253). Everything the host enforces applies to it exactly as to a real guest,
 * which the real-guest tests show for the main paths; this one makes the whole policy matrix cheap to test.
 */
final class FakeGuest implements AutoCloseable {
    private final String ns;

    private FakeGuest(String ns) {
        this.ns = ns;
    }

    static FakeGuest on(VmNetwork net, String name) throws IOException, InterruptedException {
        String vmNs = net.namespace().getFileName().toString();
        FakeGuest g = new FakeGuest(name);
        g.close();
        Files.createDirectories(Path.of("/etc/netns", name));
        Files.writeString(Path.of("/etc/netns", name, "resolv.conf"), "nameserver " + net.dns() + "\n");
        FakeInternet.sh("ip netns add " + name,
                "ip -n " + vmNs + " link add " + net.tap() + " type veth peer name eth0 netns " + name,
                "ip -n " + vmNs + " addr add " + net.gatewayCidr() + " dev " + net.tap(),
                "ip -n " + vmNs + " link set " + net.tap() + " up",
                "ip -n " + name + " link set lo up",
                "ip -n " + name + " addr add " + net.guest() + "/" + net.prefix() + " dev eth0",
                "ip -n " + name + " link set eth0 up",
                "ip -n " + name + " route add default via " + net.gateway());
        return g;
    }

    /** Runs a Python snippet in the guest's namespace; its stdout, stripped. */
    String python(String code) throws IOException, InterruptedException {
        return python(ns, code);
    }

    /** Runs a Python snippet in {@code namespace} (null: the host's); its output, stripped. */
    static String python(String namespace, String code) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>();
        if (namespace != null) c.addAll(List.of("ip", "netns", "exec", namespace));
        c.addAll(List.of("python3", "-c", code));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readNBytes(64 * 1024);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(out, StandardCharsets.UTF_8).strip();
    }

    /** "ok" when a TCP connection to address:port is made within 2 s, else the error's name. */
    String connect(String address, int port) throws IOException, InterruptedException {
        return python(NetProbes.connect(address, port));
    }

    /** The body of http://host/ (by name or address); a traceback when it cannot be fetched. */
    String get(String host) throws IOException, InterruptedException {
        return python(NetProbes.get(host));
    }

    /** The address the system resolver (resolv.conf: Ember's resolver) gives {@code name}, or the error's name. */
    String resolve(String name) throws IOException, InterruptedException {
        return python("import socket\ntry:\n print(socket.gethostbyname('" + name + "'))\nexcept Exception as e:\n print(type(e).__name__)");
    }

    /** Sends {@code count} UDP datagrams. */
    void udp(String address, int port, int count) throws IOException, InterruptedException {
        python("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(" + count + "):\n"
                + " try: s.sendto(b'leak',('" + address + "'," + port + "))\n except Exception: pass");
    }

    /** A DNS query for {@code name} sent straight to {@code server}:53 (not through Ember's resolver); the answer's rcode or "timeout". */
    String dnsDirect(String server, String name) throws IOException, InterruptedException {
        return python("import socket,struct\nq=struct.pack('>HHHHHH',0x1234,0x0100,1,0,0,0)+b''.join(bytes([len(p)])+p.encode() for p in '"
                + name + "'.split('.'))+b'\\x00'+struct.pack('>HH',1,1)\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(2)\n"
                + "try:\n s.sendto(q,('" + server + "',53));d=s.recv(512);print('rcode', d[3]&15)\n"
                + "except Exception as e:\n print('timeout')");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("sh", "-c", "ip netns del " + ns + " 2>/dev/null").start().waitFor(20, TimeUnit.SECONDS);
        Path conf = Path.of("/etc/netns", ns, "resolv.conf");
        Files.deleteIfExists(conf);
        Files.deleteIfExists(conf.getParent());
    }
}
