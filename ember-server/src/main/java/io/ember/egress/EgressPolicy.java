package io.ember.egress;

import java.util.List;
import java.util.Locale;

/**
 * What a microVM may reach outside itself (docs/network.md, "Policy model"). The host kernel enforces it with nftables
 * in the microVM's own network namespace; Ember's resolver enforces the domain rules. Whatever the policy says, the host
 * itself, other microVMs, private and special ranges stay unreachable (see {@link Ranges}), except the prefixes of a
 * {@code hostNetwork} the operator named.
 *
 * <p>Evaluation, for a new connection from the guest: DNS to Ember's resolver is allowed; destinations in the never
 * reachable ranges are dropped (unless on the host network); then {@code rules} in order, the first that matches
 * decides; then TCP to the host network is allowed; every other UDP is dropped; then {@code defaultAction} decides
 * (ALLOW allows TCP and ICMP echo).
 *
 * @param defaultAction what happens to a connection (and a DNS name) no rule matched
 * @param rules evaluated in order, at most {@link #MAX_RULES}
 * @param hostNetwork a host interface (a bridge the operator made, e.g. to the LAN) whose prefixes the microVM may
 *     reach over TCP, NATed to the host's address there; null for none
 * @param bandwidthMbps cap on each direction, megabits per second; 0: the server's default
 * @param maxConnections cap on connections the microVM has open at once; 0: the server's default
 */
public record EgressPolicy(Action defaultAction, List<EgressRule> rules, String hostNetwork, int bandwidthMbps,
                           int maxConnections) {
    public static final int MAX_RULES = 64;
    public static final int MAX_BANDWIDTH_MBPS = 100_000, MAX_CONNECTIONS = 65_536;
    /** The managed connector INTERNET_EGRESS: public TCP, DNS through Ember's resolver, no UDP. */
    public static final EgressPolicy INTERNET = new EgressPolicy(Action.ALLOW, List.of(), null, 0, 0);
    /** Nothing leaves, not even a DNS query. */
    public static final EgressPolicy NONE = new EgressPolicy(Action.DENY, List.of(), null, 0, 0);

    public enum Action { ALLOW, DENY }

    public EgressPolicy {
        if (defaultAction == null) throw new IllegalArgumentException("defaultAction is required");
        rules = List.copyOf(rules == null ? List.of() : rules);
        if (rules.size() > MAX_RULES) throw new IllegalArgumentException("at most " + MAX_RULES + " egress rules");
        for (EgressRule r : rules) // it would look like it opened something, and open nothing (docs/network.md, step 5)
            if (r.cidr() != null && r.action() == Action.ALLOW)
                for (Cidr never : Ranges.NEVER)
                    if (never.prefix() <= r.cidr().prefix() && never.overlaps(r.cidr()))
                        throw new IllegalArgumentException("an ALLOW rule cannot open " + r.cidr() + ": it is inside " + never
                                + ", which no rule opens (name the interface to that network as hostNetwork)");
        if (hostNetwork != null && !hostNetwork.matches("[A-Za-z0-9_.-]{1,15}"))
            throw new IllegalArgumentException("hostNetwork must be an interface name (1 to 15 of letters, digits, '_', '.', '-')");
        if (bandwidthMbps < 0 || bandwidthMbps > MAX_BANDWIDTH_MBPS)
            throw new IllegalArgumentException("bandwidthMbps must be between 0 and " + MAX_BANDWIDTH_MBPS);
        if (maxConnections < 0 || maxConnections > MAX_CONNECTIONS)
            throw new IllegalArgumentException("maxConnections must be between 0 and " + MAX_CONNECTIONS);
    }

    /** Whether Ember's resolver may forward {@code name} upstream for this microVM, and which rule allowed it. */
    public DnsVerdict dns(String name) {
        String n = DomainPattern.normalize(name);
        if (n == null) return DnsVerdict.DENIED;
        for (int i = 0; i < rules.size(); i++) {
            EgressRule r = rules.get(i);
            if (r.domain() != null && r.domain().matches(n))
                return r.action() == Action.ALLOW ? DnsVerdict.allowedBy(i) : DnsVerdict.DENIED;
        }
        return defaultAction == Action.ALLOW ? DnsVerdict.ALLOWED : DnsVerdict.DENIED;
    }

    /** Whether any rule names a domain (then the resolver pins what it answers, see {@link DnsVerdict#rule}). */
    public boolean hasDomainRules() {
        return rules.stream().anyMatch(r -> r.domain() != null);
    }

    /**
     * The resolver's decision for one name.
     *
     * @param forward forward the query upstream; false: answer NXDOMAIN without asking anyone
     * @param rule the index of the ALLOW domain rule that matched: the addresses answered join that rule's set (the
     *     only addresses the rule lets the microVM reach), -1 when the default action allowed the name
     */
    public record DnsVerdict(boolean forward, int rule) {
        public static final DnsVerdict DENIED = new DnsVerdict(false, -1), ALLOWED = new DnsVerdict(true, -1);

        static DnsVerdict allowedBy(int rule) {
            return new DnsVerdict(true, rule);
        }
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
