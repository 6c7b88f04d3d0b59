package io.ember.endpoint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which microVM a request is for, and the target the application sees. Two forms reach the same
 * microVM: by host ({@code mvm-<id>.<domain>}, the application sees the path untouched: what a
 * wildcard DNS name or {@code *.localhost} in a browser gives) and by path prefix
 * ({@code /mvm-<id>/rest}, the application sees {@code /rest}: works with any client and no DNS).
 */
record Route(String microvmId, String target, String prefix) {
    private static final Pattern HOST = Pattern.compile("(mvm-[0-9a-f]{24})(\\..*)?(:[0-9]+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern PATH = Pattern.compile("/(mvm-[0-9a-f]{24})([/?].*)?");
    private static final Pattern ABSOLUTE = Pattern.compile("https?://([^/?#]+)(.*)", Pattern.CASE_INSENSITIVE);

    /** The route of a request, or null when it names no microVM. */
    static Route of(String host, String target) {
        Matcher abs = ABSOLUTE.matcher(target);
        if (abs.matches()) { // absolute-form (RFC 9112 3.2.2): its authority overrides Host
            host = abs.group(1);
            target = abs.group(2).isEmpty() ? "/" : abs.group(2);
        }
        if (host != null) {
            Matcher h = HOST.matcher(host.strip());
            if (h.matches()) return new Route(h.group(1).toLowerCase(), target, null);
        }
        Matcher p = PATH.matcher(target);
        if (p.matches()) {
            String rest = p.group(2) == null ? "/" : p.group(2);
            if (rest.startsWith("?")) rest = "/" + rest;
            return new Route(p.group(1), rest, "/" + p.group(1));
        }
        return null;
    }
}
