package io.ember.dns;

import io.ember.egress.EgressPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ember's resolver for microVMs (docs/dns.md). Each guest's resolv.conf points at 169.254.169.253, which the host's
 * netfilter DNATs here; the query's source address is the guest's own, so it names the microVM and its policy. A
 * name the policy does not allow is answered NXDOMAIN and never leaves the host; an allowed one is answered from a
 * shared cache or the upstreams, and when a domain ALLOW rule matched it, its addresses are pinned for that microVM
 * before the guest gets them.
 */
public final class Resolver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resolver.class);

    /** Opens the firewall for a rule's answered addresses (for one microVM). */
    public interface Pins {
        void pin(int rule, List<Inet4Address> addresses, Duration ttl) throws Exception;
    }

    private final ResolverConfig config;
    private final Map<Inet4Address, QueryHandler.Client> clients;
    private final Counters counters;
    private final UdpServer udp;
    private final TcpServer tcp;

    private Resolver(ResolverConfig config, UdpServer udp, TcpServer tcp, Map<Inet4Address, QueryHandler.Client> clients,
                     Counters counters) {
        this.config = config;
        this.udp = udp;
        this.tcp = tcp;
        this.clients = clients;
        this.counters = counters;
    }

    /** Binds UDP and TCP on the same port (an ephemeral one when the config says 0) and starts answering. */
    public static Resolver start(ResolverConfig c) throws IOException {
        Counters counters = new Counters();
        Map<Inet4Address, QueryHandler.Client> clients = new ConcurrentHashMap<>();
        Lookups lookups = new Lookups(new AnswerCache(c.cacheEntries(), System::nanoTime),
                new Upstreams(c.upstreams(), c.upstreamTimeout(), counters), counters);
        QueryHandler handler = new QueryHandler(clients, lookups, counters);
        // with port 0 the kernel picks the UDP port; the same TCP port may be taken, then another pair is tried
        for (int attempt = 0; ; attempt++) {
            UdpServer udp = new UdpServer(new InetSocketAddress(c.bind(), c.port()), handler);
            try {
                TcpServer tcp = new TcpServer(new InetSocketAddress(c.bind(), udp.port()), handler);
                Resolver r = new Resolver(c, udp, tcp, clients, counters);
                log.info("DNS resolver listening on {} port {} (UDP and TCP), upstreams {}", c.bind().getHostAddress(),
                        r.port(), c.upstreams());
                return r;
            } catch (BindException e) {
                udp.close();
                if (c.port() != 0 || attempt >= 20) throw e;
            } catch (IOException | RuntimeException e) {
                udp.close();
                throw e;
            }
        }
    }

    public int port() {
        return udp.port();
    }

    /**
     * Queries from {@code client} are answered under {@code policy}; answers for a name a domain ALLOW rule matched are
     * handed to {@code pins} (rule index, the A addresses, TTL clamped to [60 s, 1 h]) BEFORE the answer is sent, so
     * the guest's connection right after the answer is already allowed. A pin failure -> SERVFAIL, nothing sent.
     * Registering an address again replaces its microVM (and gives it a full token bucket).
     */
    public void register(Inet4Address client, String vmId, EgressPolicy policy, Pins pins) {
        if (client == null || vmId == null || policy == null || pins == null)
            throw new IllegalArgumentException("client, vmId, policy and pins are required");
        clients.put(client, new QueryHandler.Client(vmId, policy, pins,
                new TokenBucket(config.queriesPerSecond(), config.burst(), System::nanoTime)));
    }

    /** Queries from {@code client} are REFUSED from now on. */
    public void unregister(Inet4Address client) {
        clients.remove(client);
    }

    public ResolverStats stats() {
        return counters.snapshot();
    }

    @Override
    public void close() throws IOException {
        try (udp; tcp) {
            clients.clear();
        }
    }
}
