package io.ember.dns;

import io.ember.egress.Cidr;
import io.ember.egress.Ranges;

/**
 * Reverse lookups (in-addr.arpa) of the never-reachable ranges are answered NXDOMAIN by the resolver itself, like the
 * locally served zones of RFC 6303: the host's resolvers may know the operator's LAN and loopback names, and a
 * microVM has no business learning them (nor can it reach those addresses).
 */
final class ReverseNames {
    private static final String SUFFIX = ".in-addr.arpa";

    private ReverseNames() {}

    /** {@code name} normalized (lower case, no trailing dot). */
    static boolean neverReachable(String name) {
        if (!name.endsWith(SUFFIX)) return false;
        String[] labels = name.substring(0, name.length() - SUFFIX.length()).split("\\.");
        int octets = 0, address = 0;
        // the last labels are the network's leading octets: "4.3.2.10.in-addr.arpa" is 10.2.3.4
        for (int i = labels.length - 1; i >= 0 && octets < 4; i--) {
            if (!labels[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(labels[i]) > 255) break;
            address |= Integer.parseInt(labels[i]) << (24 - 8 * octets);
            octets++;
        }
        if (octets == 0) return false;
        Cidr asked = new Cidr(address, 8 * octets);
        for (Cidr never : Ranges.NEVER)
            if (never.prefix() <= asked.prefix() && never.contains(asked.address())) return true;
        return false;
    }
}
