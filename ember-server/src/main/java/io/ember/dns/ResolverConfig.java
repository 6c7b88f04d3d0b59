package io.ember.dns;

import io.ember.egress.Cidr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How Ember's resolver for microVMs runs (docs/dns.md, "Knobs").
 *
 * @param bind the host address the resolver listens on (UDP and TCP); the host's netfilter DNATs the guests'
 *     169.254.169.253:53 there
 * @param port the port, 0 for an ephemeral one (see {@link Resolver#port()})
 * @param upstreams recursive resolvers asked in order, the next one on timeout or failure; at least one
 * @param cacheEntries the answer cache's bound in entries (one per name and type), 0 for no cache
 * @param queriesPerSecond each microVM's sustained query rate; queries beyond it are REFUSED
 * @param burst how many queries a microVM may send at once above the sustained rate
 * @param upstreamTimeout how long one upstream gets to answer (UDP, and TCP when the answer was truncated) before the
 *     next is asked
 */
public record ResolverConfig(InetAddress bind, int port, List<InetSocketAddress> upstreams, int cacheEntries,
                             int queriesPerSecond, int burst, Duration upstreamTimeout) {
    static final int MAX_UPSTREAMS = 8;
    static final Duration MAX_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    public ResolverConfig {
        if (bind == null) throw new IllegalArgumentException("bind address is required");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 (ephemeral) or 1-65535");
        upstreams = List.copyOf(upstreams == null ? List.of() : upstreams);
        if (upstreams.isEmpty()) throw new IllegalArgumentException("at least one DNS upstream is required");
        if (upstreams.size() > MAX_UPSTREAMS)
            throw new IllegalArgumentException("at most " + MAX_UPSTREAMS + " DNS upstreams");
        for (InetSocketAddress u : upstreams)
            if (u.isUnresolved() || u.getPort() == 0)
                throw new IllegalArgumentException("DNS upstream " + u + " must be an IP address and a port");
        if (cacheEntries < 0 || cacheEntries > 10_000_000)
            throw new IllegalArgumentException("cacheEntries must be between 0 and 10000000");
        if (queriesPerSecond < 1 || queriesPerSecond > 1_000_000)
            throw new IllegalArgumentException("queriesPerSecond must be between 1 and 1000000");
        if (burst < 1 || burst > 1_000_000) throw new IllegalArgumentException("burst must be between 1 and 1000000");
        if (upstreamTimeout == null || upstreamTimeout.toMillis() < 1 || upstreamTimeout.compareTo(MAX_UPSTREAM_TIMEOUT) > 0)
            throw new IllegalArgumentException("upstreamTimeout must be between 1 ms and " + MAX_UPSTREAM_TIMEOUT.toSeconds() + " s");
    }

    /** The host's own resolvers from /etc/resolv.conf ("nameserver" lines, IPv4 and IPv6, port 53). */
    public static List<InetSocketAddress> hostResolvers() {
        try {
            return hostResolvers(Files.readString(Path.of("/etc/resolv.conf")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /etc/resolv.conf for the host's resolvers", e);
        }
    }

    /** The nameserver lines of a resolv.conf text; lines that do not hold an IP address are skipped. */
    static List<InetSocketAddress> hostResolvers(String resolvConf) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : resolvConf.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) continue;
            String a = words[1];
            int scope = a.indexOf('%'); // a link-local IPv6 server's zone: the host resolves through it the same way
            try {
                InetAddress ip = literal(scope >= 0 ? a.substring(0, scope) : a);
                if (scope >= 0) ip = InetAddress.getByName(a); // a literal with a zone: no lookup happens
                out.add(new InetSocketAddress(ip, 53));
            } catch (IllegalArgumentException | UnknownHostException e) {
                // not an address: resolv.conf(5) allows nothing else here, so it is ignored as the C library does
            }
        }
        return List.copyOf(out);
    }

    /** "IP" or "IP:PORT" or "[v6]:PORT" -> address (port 53 default); IllegalArgumentException with a clear message. */
    public static InetSocketAddress parseUpstream(String s) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException("a DNS upstream is IP, IP:PORT or [IPv6]:PORT");
        String host = s, port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("DNS upstream '" + s + "': missing ']'");
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw new IllegalArgumentException("DNS upstream '" + s + "': expected ':PORT' after ']'");
                port = rest.substring(1);
            }
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') >= 0) { // one colon: IPv4:PORT
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        }
        InetAddress ip;
        try {
            ip = literal(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DNS upstream '" + s + "': " + e.getMessage(), e);
        }
        int p = 53;
        if (port != null) {
            if (!port.matches("[0-9]{1,5}") || (p = Integer.parseInt(port)) < 1 || p > 65535)
                throw new IllegalArgumentException("DNS upstream '" + s + "': port must be 1-65535");
        }
        return new InetSocketAddress(ip, p);
    }

    /** An IP literal, never a host name: looking a name up to find the resolver would itself need a resolver. */
    static InetAddress literal(String s) {
        try {
            if (s.contains(":")) {
                if (!s.matches("[0-9A-Fa-f:.]{2,45}")) throw new IllegalArgumentException("'" + s + "' is not an IP address");
                return InetAddress.getByName(s); // an IPv6 literal is parsed, never looked up
            }
            int a = Cidr.parseAddress(s);
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address", e);
        }
    }
}
