package io.ember.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The interactive shell where Lambda MicroVMs serves it: a WebSocket to {@code <endpoint>/shell} carrying a shell
 * token (CreateMicrovmShellAuthToken) in {@code X-aws-proxy-auth} or as the subprotocol
 * {@code lambda-microvms.authentication.<token>}. Ember's shell itself is the control API's
 * {@code /ember/v1/microvms/{id}/shell} (docs/api.md): the upgrade is passed to it over loopback with the token
 * in the header, and the connection becomes a pipe to it. The shell's messages are Ember's (binary frames are the
 * terminal's bytes, text frames control it), not a protocol AWS documents. A request to {@code /shell} with an
 * endpoint token is the application's like any other path.
 */
final class ShellPassage {
    static final String PATH = "/shell";

    private ShellPassage() {}

    /** A WebSocket upgrade for {@code /shell} (the target the application would see), with or without a query. */
    static boolean wanted(HttpHead request, Route route) {
        String t = route.target();
        boolean path = t.equals(PATH) || t.startsWith(PATH + "?");
        return path && request.lists("Connection", "upgrade") && "websocket".equalsIgnoreCase(request.get("Upgrade"));
    }

    /**
     * Relays the upgrade to the API's shell route and, once it answered 101, pipes both ways until either side ends.
     * Any other answer (a typed refusal: the microVM is terminated, a bad query) is passed to the client as it is.
     */
    static void serve(HttpHead request, Route route, String token, Subprotocols offered, InetSocketAddress api,
                      InputStream clientIn, OutputStream clientOut, Socket client) throws IOException {
        Socket s = new Socket();
        s.connect(api, 10_000);
        Upstream up = Upstream.loopback(s);
        try {
            String t = route.target();
            String query = t.indexOf('?') < 0 ? "" : t.substring(t.indexOf('?'));
            HttpHead forward = request.withStartLine("GET /ember/v1/microvms/" + route.microvmId() + "/shell" + query + " HTTP/1.1");
            forward.removePrefixed(Heads.PROXY_PREFIX);
            offered.stripFrom(forward);
            forward.remove("Sec-WebSocket-Protocol"); // the shell route has no subprotocol of its own to choose
            forward.set("Host", api.getHostString() + ":" + api.getPort());
            forward.add(AuthTokens.HEADER, token);
            forward.write(up.out);
            up.out.flush();
            HttpHead answer = HttpHead.read(up.in);
            if (answer == null) throw new IOException("the shell service closed the connection");
            int status = Heads.status(answer);
            if (status == 101) offered.confirmIn(answer);
            answer.write(clientOut);
            clientOut.flush();
            if (status == 101) {
                new Pipe(clientIn, clientOut, client, up, () -> { }).run();
            } else {
                HttpHead.Framing f = answer.responseFraming("GET", status);
                Bodies.copy(f.kind() == HttpHead.Framing.Kind.UNTIL_CLOSE ? HttpHead.Framing.NONE : f, up.in, clientOut, () -> { });
            }
        } finally {
            up.close();
        }
    }
}
