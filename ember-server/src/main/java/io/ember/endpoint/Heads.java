package io.ember.endpoint;

/** What the proxy reads from heads and how it rewrites a request for the application. */
final class Heads {
    static final String PROXY_PREFIX = "x-aws-proxy-";

    private Heads() {}

    /** The head the application sees: the route's target, no Ember credentials, and who asked. */
    static HttpHead forwarded(HttpHead request, Route route, Subprotocols offered, java.net.InetAddress from, boolean tls) {
        String[] line = request.startLine.split(" ", -1);
        HttpHead h = request.withStartLine(line[0] + " " + route.target() + " " + line[2]);
        // The x-aws-proxy-* names are the endpoint's, as in Lambda MicroVMs: the token, the port, and any other is
        // removed, so the application never sees a credential nor depends on a header the platform may give meaning to.
        h.removePrefixed(PROXY_PREFIX);
        offered.stripFrom(h);
        String host = request.get("Host");
        for (String f : new String[] {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded"}) {
            h.remove(f);
        }
        h.add("X-Forwarded-For", from.getHostAddress());
        h.add("X-Forwarded-Proto", tls ? "https" : "http");
        if (host != null) h.add("X-Forwarded-Host", host);
        if (route.prefix() != null) h.add("X-Forwarded-Prefix", route.prefix());
        return h;
    }

    static int port(HttpHead request, Subprotocols offered) {
        String given = request.get(ProxyConnection.PORT_HEADER);
        if (given == null) return offered.port() > 0 ? offered.port() : EndpointSettings.DEFAULT_GUEST_PORT;
        if (!given.matches("[0-9]{1,5}") || Integer.parseInt(given) < 1 || Integer.parseInt(given) > 65_535) {
            throw new IllegalArgumentException(ProxyConnection.PORT_HEADER + " must be a port number 1-65535");
        }
        return Integer.parseInt(given);
    }

    static int status(HttpHead response) throws HttpHead.Malformed {
        String[] parts = response.startLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new HttpHead.Malformed("a malformed status line");
        }
        return Integer.parseInt(parts[1]);
    }
}
