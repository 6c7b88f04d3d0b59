package io.ember.egress;

/** An IPv4 prefix, kept canonical (host bits zero). */
public record Cidr(int address, int prefix) {
    public Cidr {
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix length must be 0-32");
        address &= mask(prefix);
    }

    /** "a.b.c.d/n", or "a.b.c.d" for /32. Only dotted-quad decimal: no shorthand, no leading zeros. */
    public static Cidr parse(String s) {
        if (s == null) throw new IllegalArgumentException("cidr is required");
        int slash = s.indexOf('/');
        int prefix = 32;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("[0-9]{1,2}")) throw new IllegalArgumentException("invalid prefix length in '" + s + "'");
            prefix = Integer.parseInt(p);
        }
        return new Cidr(parseAddress(slash >= 0 ? s.substring(0, slash) : s), prefix);
    }

    public static int parseAddress(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        int a = 0;
        for (String p : parts) {
            if (!p.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(p) > 255)
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            a = a << 8 | Integer.parseInt(p);
        }
        return a;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(int a) {
        return (a & mask(prefix)) == address;
    }

    public boolean overlaps(Cidr o) {
        int p = Math.min(prefix, o.prefix);
        return (address & mask(p)) == (o.address & mask(p));
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefix;
    }
}
