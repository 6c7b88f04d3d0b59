package io.ember.network;

import io.ember.egress.Cidr;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * How the server gives microVMs a network (docs/network.md).
 *
 * @param enabled false: microVMs get a NIC attached to nothing (no root needed; what tests without networking use)
 * @param pool where every microVM's two /30 links come from (host veth and the guest's tap): /16 to /24, one /29 per
 *     microVM. Two servers on one host need pools that do not overlap (names derive from the pool)
 * @param dnsUpstreams where Ember's resolver forwards allowed names; empty: the host's own resolvers
 * @param dnsPort the resolver's host port (UDP and TCP); 0 picks a free one
 * @param bandwidthMbps per-microVM cap in each direction when its policy sets none
 * @param maxConnections per-microVM cap on open connections when its policy sets none
 */
public record NetworkSettings(boolean enabled, Cidr pool, List<InetSocketAddress> dnsUpstreams, int dnsPort,
                              int bandwidthMbps, int maxConnections) {
    public static final Cidr DEFAULT_POOL = Cidr.parse("10.250.0.0/16");
    public static final int DEFAULT_BANDWIDTH_MBPS = 200, DEFAULT_MAX_CONNECTIONS = 1024;
    /** Fixed, so a restart finds the rules of running microVMs still right (an ephemeral port would re-render them). */
    public static final int DEFAULT_DNS_PORT = 8853;
    public static final NetworkSettings OFF = new NetworkSettings(false, DEFAULT_POOL, List.of(), 0,
            DEFAULT_BANDWIDTH_MBPS, DEFAULT_MAX_CONNECTIONS);

    public NetworkSettings {
        if (pool.prefix() < 16 || pool.prefix() > 24) throw new IllegalArgumentException("the network pool must be a /16 to /24");
        dnsUpstreams = List.copyOf(dnsUpstreams);
        if (dnsPort < 0 || dnsPort > 65535) throw new IllegalArgumentException("dnsPort must be 0..65535");
        if (bandwidthMbps < 1 || maxConnections < 1) throw new IllegalArgumentException("bandwidth and connection caps must be positive");
    }

    /** Networking on: the default pool, the host's resolvers, the resolver on port 8853. */
    public static NetworkSettings on() {
        return new NetworkSettings(true, DEFAULT_POOL, List.of(), DEFAULT_DNS_PORT, DEFAULT_BANDWIDTH_MBPS, DEFAULT_MAX_CONNECTIONS);
    }

    public NetworkSettings withPool(Cidr value) {
        return new NetworkSettings(enabled, value, dnsUpstreams, dnsPort, bandwidthMbps, maxConnections);
    }

    public NetworkSettings withDnsUpstreams(List<InetSocketAddress> value) {
        return new NetworkSettings(enabled, pool, value, dnsPort, bandwidthMbps, maxConnections);
    }

    public NetworkSettings withDnsPort(int value) {
        return new NetworkSettings(enabled, pool, dnsUpstreams, value, bandwidthMbps, maxConnections);
    }

    /**
     * Four hex digits naming this pool's namespaces ({@code ember-TAG-N}), host veths ({@code emTAG-N}) and host table
     * ({@code ember_TAG}); distinct pools get distinct tags.
     */
    public String tag() {
        return String.format(Locale.ROOT, "%04x", (pool.address() >>> 8) & 0xffff);
    }
}
