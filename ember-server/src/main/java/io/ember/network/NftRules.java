package io.ember.network;

import io.ember.egress.Cidr;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressRule;
import io.ember.egress.Ranges;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nftables rulesets (docs/network.md, "Enforcement"): one in each microVM's namespace, where its policy is enforced
 * between its tap and its veth, and one in the host's namespace that keeps every microVM off the host and off each other
 * and NATs them out. Each is replaced whole in one transaction, so a microVM never runs under half a policy.
 */
final class NftRules {
    static final String VM_TABLE = "ember";

    private NftRules() {}

    /** The ruleset of one microVM's namespace; {@code hostNetwork}: the prefixes of the host network its policy names. */
    static String vm(AddressPlan p, EgressPolicy policy, List<Cidr> hostNetwork, int resolverPort, int bandwidthMbps,
                     int maxConnections) {
        StringBuilder b = new StringBuilder();
        // "add" then "delete" makes the delete safe when the table is not there yet; the whole file is one transaction.
        b.append("table inet ember {}\ndelete table inet ember\ntable arp ember {}\ndelete table arp ember\n");
        b.append("table inet ember {\n");
        for (int i = 0; i < policy.rules().size(); i++)
            if (policy.rules().get(i).domain() != null && policy.rules().get(i).action() == EgressPolicy.Action.ALLOW)
                b.append("  set d").append(i).append(" { type ipv4_addr; flags timeout; }\n");
        List<Cidr> never = new java.util.ArrayList<>(Ranges.NEVER); // and the pool: the other microVMs, wherever it is
        if (never.stream().noneMatch(r -> r.prefix() <= p.pool().prefix() && r.overlaps(p.pool()))) never.add(p.pool());
        b.append("  set never { type ipv4_addr; flags interval; elements = { ")
                .append(never.stream().map(Cidr::toString).collect(Collectors.joining(", "))).append(" } }\n");
        b.append("  set hostnet { type ipv4_addr; flags interval;");
        if (!hostNetwork.isEmpty())
            b.append(" elements = { ").append(hostNetwork.stream().map(Cidr::toString).collect(Collectors.joining(", "))).append(" }");
        b.append(" }\n");
        // The guest asks 169.254.169.253:53; the resolver listens on the host end of this microVM's veth.
        b.append("  chain pre { type nat hook prerouting priority dstnat; policy accept;\n");
        for (String proto : List.of("udp", "tcp"))
            b.append("    iifname \"tap0\" ip daddr ").append(Ranges.RESOLVER).append(' ').append(proto)
                    .append(" dport 53 dnat ip to ").append(p.hostAddress()).append(':').append(resolverPort).append('\n');
        b.append("  }\n");
        // Nothing reaches the namespace itself: not from the guest, not from outside.
        b.append("  chain input { type filter hook input priority filter; policy drop;\n")
                .append("    iifname \"lo\" accept\n    counter drop\n  }\n");
        long kbytes = bandwidthMbps * 125L;
        String limit = "limit rate over " + kbytes + " kbytes/second burst " + Math.max(64, kbytes / 10) + " kbytes";
        b.append("  chain forward { type filter hook forward priority filter; policy drop;\n")
                .append("    meta nfproto ipv6 counter drop\n")
                .append("    iifname \"tap0\" ip saddr != ").append(p.guest()).append(" counter drop\n")
                .append("    iifname \"tap0\" ").append(limit).append(" counter drop\n")
                .append("    oifname \"tap0\" ").append(limit).append(" counter drop\n")
                .append("    ct state established,related counter accept\n")
                .append("    ct state invalid counter drop\n")
                .append("    iifname \"tap0\" oifname \"eth0\" jump egress\n")
                .append("    counter drop\n  }\n");
        b.append("  chain egress {\n")
                .append("    ip daddr ").append(p.hostAddress()).append(" meta l4proto { tcp, udp } th dport ")
                .append(resolverPort).append(" counter accept\n")
                .append("    ct count over ").append(maxConnections).append(" counter drop\n")
                .append("    ip daddr @never ip daddr != @hostnet counter drop\n");
        for (int i = 0; i < policy.rules().size(); i++) {
            EgressRule r = policy.rules().get(i);
            String verdict = r.action() == EgressPolicy.Action.ALLOW ? "accept" : "drop";
            if (r.domain() != null) {
                if (r.action() == EgressPolicy.Action.ALLOW) // a DENY domain rule is the resolver's: NXDOMAIN
                    b.append("    ip daddr @d").append(i).append(' ').append(match(r)).append(" counter accept # ").append(r.domain()).append('\n');
            } else {
                b.append("    ip daddr ").append(r.cidr()).append(' ').append(match(r)).append(" counter ").append(verdict).append('\n');
            }
        }
        if (!hostNetwork.isEmpty()) b.append("    ip daddr @hostnet meta l4proto tcp counter accept\n");
        b.append("    meta l4proto udp counter drop\n");
        if (policy.defaultAction() == EgressPolicy.Action.ALLOW)
            b.append("    meta l4proto tcp counter accept\n    icmp type echo-request counter accept\n");
        b.append("    counter drop\n  }\n}\n");
        // The guest owns one address: it cannot claim another on its link (the namespace is its only neighbour).
        b.append("table arp ember {\n  chain in { type filter hook input priority filter; policy accept;\n")
                .append("    iifname \"tap0\" arp saddr ip != ").append(p.guest()).append(" counter drop\n  }\n}\n");
        return b.toString();
    }

    private static String match(EgressRule r) {
        String ports = r.ports().equals(EgressRule.PortRange.ALL) ? "" : " th dport " + r.ports();
        return switch (r.protocol()) {
            case TCP -> "meta l4proto tcp" + ports;
            case UDP -> "meta l4proto udp" + ports;
            case ANY -> "meta l4proto { tcp, udp }" + ports;
        };
    }

    /** Pins addresses into a domain rule's set; add, delete, add: a fresh timeout whether or not it was there. */
    static String pin(int rule, List<Inet4Address> addresses, Duration ttl) {
        StringBuilder b = new StringBuilder();
        for (Inet4Address a : addresses) {
            String e = " inet ember d" + rule + " { " + a.getHostAddress();
            b.append("add element").append(e).append(" }\n").append("delete element").append(e).append(" }\n")
                    .append("add element").append(e).append(" timeout ").append(Math.max(1, ttl.toSeconds())).append("s }\n");
        }
        return b.toString();
    }

    static String hostTable(String tag) {
        return "ember_" + tag;
    }

    /**
     * The host's side: packets from any microVM's veth reach the host only as DNS to the resolver, never another
     * microVM's veth; nothing unsolicited goes into a microVM; what leaves is masqueraded.
     */
    static String host(String tag, Cidr pool, int resolverPort) {
        String t = hostTable(tag), vms = "\"em" + tag + "-*\"";
        return "table ip " + t + " {}\ndelete table ip " + t + "\n"
                + "table ip " + t + " {\n"
                + "  chain input { type filter hook input priority filter - 10; policy accept;\n"
                + "    iifname " + vms + " ip daddr " + pool + " meta l4proto { tcp, udp } th dport " + resolverPort + " accept\n"
                + "    iifname " + vms + " counter drop\n  }\n"
                + "  chain forward { type filter hook forward priority filter - 10; policy accept;\n"
                + "    iifname " + vms + " oifname " + vms + " counter drop\n"
                + "    oifname " + vms + " ct state established,related accept\n"
                + "    oifname " + vms + " counter drop\n  }\n"
                + "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip saddr " + pool + " oifname != " + vms + " masquerade\n  }\n}\n";
    }
}
