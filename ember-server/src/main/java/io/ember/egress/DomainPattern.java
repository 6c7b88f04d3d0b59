package io.ember.egress;

import java.util.Locale;

/** A domain rule's name: exact ("example.com") or every name strictly under a suffix ("*.example.com"). */
public record DomainPattern(String suffix, boolean wildcard) {
    private static final String LABEL = "(?!-)[a-z0-9_-]{1,63}(?<!-)";

    public DomainPattern {
        if (normalize(suffix) == null || !suffix.equals(normalize(suffix)))
            throw new IllegalArgumentException("'" + suffix + "' is not a domain name");
    }

    public static DomainPattern parse(String s) {
        if (s == null) throw new IllegalArgumentException("domain is required");
        boolean wild = s.startsWith("*.");
        String n = normalize(wild ? s.substring(2) : s);
        if (n == null || !n.contains(".") && !wild)
            throw new IllegalArgumentException("'" + s + "' is not a domain name (or *.suffix)");
        return new DomainPattern(n, wild);
    }

    /** Lower case, no trailing dot; null when not a valid name of letters, digits, '-' and '_' (at most 253). */
    public static String normalize(String name) {
        if (name == null) return null;
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) n = n.substring(0, n.length() - 1);
        if (n.isEmpty() || n.length() > 253) return null;
        for (String label : n.split("\\.", -1)) if (!label.matches(LABEL)) return null;
        return n;
    }

    /** {@code name} must be normalized. */
    public boolean matches(String name) {
        return wildcard ? name.endsWith("." + suffix) : name.equals(suffix);
    }

    @Override
    public String toString() {
        return wildcard ? "*." + suffix : suffix;
    }
}
