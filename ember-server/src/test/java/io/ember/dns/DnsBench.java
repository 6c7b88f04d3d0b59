package io.ember.dns;

import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressPolicy.Action;
import io.ember.egress.EgressRule;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * bench/dns: lookup time through Ember's resolver on loopback, medians side by side in one run: straight to the
 * upstream dnsmasq (the floor), uncached through the resolver (each name new), cached, cached with a pin for a domain
 * rule (a no-op pin: the resolver's own cost), and a denied name. Figures, never assertions.
 * Knob: -Dbench.lookups=500.
 */
public final class DnsBench {
    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.lookups", 500);
        Path dir = Files.createTempDirectory("ember-dns-bench");
        try (Dnsmasq upstream = Dnsmasq.start(dir, "--address=/bench.test/198.51.100.10");
             Resolver resolver = Resolver.start(new ResolverConfig(Dig.GUEST, 0, List.of(upstream.address()), 100_000,
                     1_000_000, 1_000_000, Duration.ofSeconds(2)))) {
            EgressPolicy policy = new EgressPolicy(Action.ALLOW, List.of(
                    EgressRule.domain(Action.ALLOW, "*.pinned.bench.test", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL),
                    EgressRule.domain(Action.DENY, "*.denied.bench.test", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL)), null, 0, 0);
            resolver.register((Inet4Address) Dig.GUEST, "bench", policy, (rule, addresses, ttl) -> {});
            Dig dig = new Dig(resolver.port());
            SimpleResolver direct = new SimpleResolver(upstream.address());
            for (int i = 0; i < 200; i++) dig.udp("warm" + i + ".bench.test", Type.A); // JIT warm-up

            List<Long> floor = new ArrayList<>(), uncached = new ArrayList<>(), cached = new ArrayList<>(),
                    pinned = new ArrayList<>(), denied = new ArrayList<>();
            dig.udp("hot.bench.test", Type.A);
            dig.udp("hot.pinned.bench.test", Type.A);
            for (int k = 0; k < n; k++) { // interleaved, so drift on a shared machine hits every column alike
                int i = k;
                floor.add(time(() -> direct.send(Dig.query("d" + i + ".bench.test", Type.A))));
                uncached.add(time(() -> dig.udp("u" + i + ".bench.test", Type.A)));
                cached.add(time(() -> dig.udp("hot.bench.test", Type.A)));
                pinned.add(time(() -> dig.udp("hot.pinned.bench.test", Type.A)));
                denied.add(time(() -> dig.udp("x" + i + ".denied.bench.test", Type.A)));
            }
            System.out.printf("DNS lookup over UDP on loopback, %d each, median (p90) in microseconds%n", n);
            row("dnsmasq straight (floor)", floor);
            row("resolver, uncached", uncached);
            row("resolver, cached", cached);
            row("resolver, cached + pin", pinned);
            row("resolver, denied (NXDOMAIN)", denied);
            System.out.println(resolver.stats());
        }
    }

    interface Lookup {
        Message run() throws Exception;
    }

    private static long time(Lookup l) throws Exception {
        long t0 = System.nanoTime();
        Message m = l.run();
        long t = System.nanoTime() - t0;
        if (m.getRcode() != Rcode.NOERROR && m.getRcode() != Rcode.NXDOMAIN)
            throw new IllegalStateException("lookup failed: " + Rcode.string(m.getRcode()));
        return t / 1000;
    }

    private static void row(String what, List<Long> micros) {
        List<Long> s = new ArrayList<>(micros);
        Collections.sort(s);
        System.out.printf("  %-30s %6d (%d)%n", what, s.get(s.size() / 2), s.get(s.size() * 9 / 10));
    }
}
