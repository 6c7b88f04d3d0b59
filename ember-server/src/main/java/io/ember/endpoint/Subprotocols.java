package io.ember.endpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The WebSocket subprotocols a client offered. A browser cannot set headers on a WebSocket, so, as in Lambda
 * MicroVMs, it offers the bare marker {@code lambda-microvms} first, its token as
 * {@code lambda-microvms.authentication.<token>} and the port as {@code lambda-microvms.port.<n>}; Ember's older
 * spelling of the token, {@code lambda-microvms.auth.<token>}, is still accepted. Those are the endpoint's: they are
 * removed before the application sees the offer, and one is confirmed in the answer if the application chose none (a
 * browser fails a handshake whose answer confirms none of the offered subprotocols). The confirmed one is the marker
 * when offered, else the port, else (older clients) the token one.
 */
record Subprotocols(List<String> application, int port, String token, String ours) {
    private static final String HEADER = "Sec-WebSocket-Protocol";
    /** The marker that says the other {@code lambda-microvms.*} values are the platform's, not the application's. */
    static final String MARKER = "lambda-microvms";
    static final String PORT = "lambda-microvms.port.";
    static final String AUTHENTICATION = "lambda-microvms.authentication.";
    /** Ember's spelling before it matched Lambda MicroVMs': kept on input. */
    static final String LEGACY_AUTH = "lambda-microvms.auth.";
    /** Bounds the work one head can ask for (a header may hold many comma-separated values). */
    private static final int MAX_OFFERED = 64;

    static Subprotocols of(HttpHead request) {
        List<String> app = new ArrayList<>();
        int port = 0;
        String token = null;
        String marker = null, portProtocol = null, tokenProtocol = null;
        int seen = 0;
        for (String value : request.all(HEADER)) {
            for (String p : value.split(",")) {
                String s = p.strip();
                if (s.isEmpty()) continue;
                if (++seen > MAX_OFFERED) throw new IllegalArgumentException("over " + MAX_OFFERED + " subprotocols offered");
                if (s.equals(MARKER)) {
                    marker = s;
                } else if (s.startsWith(PORT)) {
                    String n = s.substring(PORT.length());
                    if (!n.matches("[0-9]{1,5}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > 65_535) {
                        throw new IllegalArgumentException("subprotocol " + s + " does not name a port 1-65535");
                    }
                    port = Integer.parseInt(n);
                    portProtocol = s;
                } else if (s.startsWith(AUTHENTICATION)) {
                    token = s.substring(AUTHENTICATION.length());
                    tokenProtocol = s;
                } else if (s.startsWith(LEGACY_AUTH)) {
                    if (token == null) token = s.substring(LEGACY_AUTH.length());
                    if (tokenProtocol == null) tokenProtocol = s;
                } else {
                    app.add(s);
                }
            }
        }
        String ours = marker != null ? marker : portProtocol != null ? portProtocol : tokenProtocol;
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
