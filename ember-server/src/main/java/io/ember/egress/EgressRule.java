package io.ember.egress;

/**
 * One egress rule: by destination prefix or by domain name, with a protocol and a port range.
 *
 * <p>A domain rule is DNS-pinned: an ALLOW lets the microVM reach exactly the addresses Ember's resolver answered it for
 * a matching name (for the answer's TTL, at least a minute, at most an hour); a DENY makes the resolver answer NXDOMAIN
 * without asking upstream. Neither trusts SNI or Host headers.
 *
 * @param cidr an IPv4 prefix ("203.0.113.0/24", "198.51.100.7"); null when {@code domain} is set
 * @param domain a name ("example.com") or every name under a suffix ("*.example.com", not the suffix itself)
 * @param protocol TCP, UDP or ANY (both)
 * @param ports the destination ports; {@link PortRange#ALL} for any
 */
public record EgressRule(EgressPolicy.Action action, Cidr cidr, DomainPattern domain, Protocol protocol, PortRange ports) {
    public enum Protocol { TCP, UDP, ANY }

    public EgressRule {
        if (action == null) throw new IllegalArgumentException("a rule needs an action (ALLOW or DENY)");
        if ((cidr == null) == (domain == null)) throw new IllegalArgumentException("a rule names exactly one of cidr and domain");
        if (protocol == null) protocol = Protocol.TCP;
        if (ports == null) ports = PortRange.ALL;
    }

    public static EgressRule cidr(EgressPolicy.Action action, String cidr, Protocol protocol, PortRange ports) {
        return new EgressRule(action, Cidr.parse(cidr), null, protocol, ports);
    }

    public static EgressRule domain(EgressPolicy.Action action, String pattern, Protocol protocol, PortRange ports) {
        return new EgressRule(action, null, DomainPattern.parse(pattern), protocol, ports);
    }

    /** A destination port range, inclusive. */
    public record PortRange(int from, int to) {
        public static final PortRange ALL = new PortRange(1, 65535);

        public PortRange {
            if (from < 1 || to > 65535 || from > to) throw new IllegalArgumentException("ports must be N or N-M within 1-65535");
        }

        /** "443", "8000-8100" or "*". */
        public static PortRange parse(String s) {
            if (s == null || s.equals("*")) return ALL;
            try {
                int dash = s.indexOf('-');
                if (dash < 0) {
                    int p = Integer.parseInt(s);
                    return new PortRange(p, p);
                }
                return new PortRange(Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ports must be N or N-M within 1-65535, not '" + s + "'");
            }
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }
}
