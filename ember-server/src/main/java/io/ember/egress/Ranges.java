package io.ember.egress;

import java.util.List;

/** Destinations no policy opens (docs/network.md, "Never reachable"), besides the host's addresses and the VM pool. */
public final class Ranges {
    private Ranges() {}

    /** 169.254.169.253: Ember's resolver as the guest sees it (the host's netfilter sends it to the real one). */
    public static final String RESOLVER = "169.254.169.253";

    public static final List<Cidr> NEVER = List.of(
            Cidr.parse("0.0.0.0/8"),        // "this network"
            Cidr.parse("10.0.0.0/8"),       // RFC 1918
            Cidr.parse("100.64.0.0/10"),    // CGNAT (RFC 6598)
            Cidr.parse("127.0.0.0/8"),      // loopback
            Cidr.parse("169.254.0.0/16"),   // link-local, cloud metadata services
            Cidr.parse("172.16.0.0/12"),    // RFC 1918
            Cidr.parse("192.0.0.0/24"),     // IETF protocol assignments
            Cidr.parse("192.168.0.0/16"),   // RFC 1918
            Cidr.parse("198.18.0.0/15"),    // benchmarking
            Cidr.parse("224.0.0.0/4"),      // multicast
            Cidr.parse("240.0.0.0/4"));     // reserved, and the broadcast address
}
