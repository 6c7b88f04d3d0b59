package io.ember.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dnsmasq on 127.0.0.1 and a free port, the resolver's upstream in tests: it answers only what its arguments
 * name, logs every query it receives to a file (so a test can count what reached "upstream"), and is stopped by pid.
 */
final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final Path log;
    final int port;

    private Dnsmasq(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** {@code records}: dnsmasq options such as "--address=/name.test/198.51.100.10". */
    static Dnsmasq start(Path dir, String... records) throws Exception {
        for (int attempt = 0; ; attempt++) {
            int port = freePort();
            Path log = dir.resolve("dnsmasq-" + port + ".log");
            List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--log-queries",
                    "--log-facility=" + log, "--pid-file=", "--user=" + System.getProperty("user.name"), "--local-ttl=300",
                    "--cache-size=0"));
            cmd.addAll(List.of(records));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq-" + port + ".out").toFile()).start();
            Dnsmasq d = new Dnsmasq(p, log, port);
            if (d.awaitAnswering()) return d;
            d.close();
            if (attempt >= 3) throw new IllegalStateException("dnsmasq did not start: " + Files.readString(dir.resolve("dnsmasq-" + port + ".out")));
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Queries dnsmasq logged, excluding the readiness probe. */
    long queries() throws IOException {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.contains(" query[") && !l.contains("ready.probe")).count();
    }

    /** Queries for {@code name} that dnsmasq logged. */
    long queries(String name) throws IOException {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.contains(" query[") && l.contains(" " + name + " ")).count();
    }

    private boolean awaitAnswering() throws Exception {
        SimpleResolver probe = new SimpleResolver(address());
        probe.setTimeout(Duration.ofMillis(200));
        Message q = Message.newQuery(Record.newRecord(Name.fromString("ready.probe."), Type.A, DClass.IN));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                probe.send(q);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        while (true) {
            try (DatagramSocket u = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int p = u.getLocalPort();
                try (ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException taken) {
                    // the TCP port is in use: try another
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM to our own child's pid
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
