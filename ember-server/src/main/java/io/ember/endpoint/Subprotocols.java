package io.ember.endpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The WebSocket subprotocols a client offered. A browser cannot set headers on a WebSocket, so it
 * names the port as {@code lambda-microvms.port.<n>} (as in Lambda MicroVMs) and, as Ember's extension,
 * its token as {@code lambda-microvms.auth.<token>}. Those are the endpoint's: they are removed before
 * the application sees the offer, and one is confirmed in the answer if the application chose none
 * (a browser fails a handshake whose answer confirms none of the offered subprotocols).
 */
record Subprotocols(List<String> application, int port, String token, String ours) {
    private static final String HEADER = "Sec-WebSocket-Protocol";

    static Subprotocols of(HttpHead request) {
        List<String> app = new ArrayList<>();
        int port = 0;
        String token = null;
        String ours = null;
        for (String value : request.all(HEADER)) {
            for (String p : value.split(",")) {
                String s = p.strip();
                if (s.isEmpty()) continue;
                if (s.startsWith(ProxyConnection.PORT_SUBPROTOCOL)) {
                    String n = s.substring(ProxyConnection.PORT_SUBPROTOCOL.length());
                    if (!n.matches("[0-9]{1,5}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > 65_535) {
                        throw new IllegalArgumentException("subprotocol " + s + " does not name a port 1-65535");
                    }
                    port = Integer.parseInt(n);
                    ours = s;
                } else if (s.startsWith(ProxyConnection.AUTH_SUBPROTOCOL)) {
                    token = s.substring(ProxyConnection.AUTH_SUBPROTOCOL.length());
                    if (ours == null) ours = s;
                } else {
                    app.add(s);
                }
            }
        }
        return new Subprotocols(app, port, token, ours);
    }

    void stripFrom(HttpHead forwarded) {
        if (ours == null) return;
        forwarded.remove(HEADER);
        if (!application.isEmpty()) forwarded.add(HEADER, String.join(", ", application));
    }

    void confirmIn(HttpHead response) {
        if (ours != null && response.get(HEADER) == null) response.add(HEADER, ours);
    }
}
