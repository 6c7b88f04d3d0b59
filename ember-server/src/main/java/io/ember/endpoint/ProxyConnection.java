package io.ember.endpoint;

import io.ember.agent.AgentException;
import io.ember.microvm.GuestLease;
import io.ember.microvm.MicrovmException;
import io.ember.microvm.Microvms;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the endpoint: its requests, one after another (HTTP/1.1 keep-alive), each
 * routed to a microVM, checked against its token before anything reaches the guest, then relayed to
 * the application's port and its answer relayed back as it streams. A request holds a {@link GuestLease}
 * while it is in flight, which is what wakes a suspended microVM and keeps the idle policy from
 * suspending it meanwhile. A 101 answer turns the connection into a byte pipe (WebSocket).
 */
final class ProxyConnection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);
    static final String PORT_HEADER = "X-aws-proxy-port";
    /** How long a keep-alive connection may sit between requests. */
    static final int CLIENT_IDLE_MS = 60_000;
    private static final int BUFFER = 64 * 1024;
    private static final int ECONNREFUSED = 111, ENOSYS = 38;

    private final Socket client;
    private final Microvms microvms;
    private final AuthTokens tokens;
    private final boolean tls;
    private final int firstByteMs, headMs;
    private final ConnectionQuota quota;
    /** Where the API serves the shell, for {@code <endpoint>/shell} ({@link ShellPassage}); null: not served here. */
    private final java.net.InetSocketAddress shellApi;
    /** The microVMs this connection counts against (see {@link ConnectionQuota}); usually one. */
    private final java.util.Set<String> counted = new java.util.HashSet<>();
    private InputStream in;
    private OutputStream out;
    private Upstream upstream;

    ProxyConnection(Socket client, Microvms microvms, AuthTokens tokens, EndpointSettings settings, ConnectionQuota quota,
                    java.net.InetSocketAddress shellApi) {
        this.shellApi = shellApi;
        this.quota = quota;
        this.client = client;
        this.microvms = microvms;
        this.tokens = tokens;
        this.tls = settings.tls();
        this.firstByteMs = settings.firstByteMillis();
        this.headMs = settings.headMillis();
    }

    @Override
    public void run() {
        try (client) {
            client.setTcpNoDelay(true);
            if (client instanceof javax.net.ssl.SSLSocket ssl) {
                handshake(ssl);
                if ("h2".equals(ssl.getApplicationProtocol())) { // ALPN chose HTTP/2
                    new H2Server(client, client.getInputStream(), new BufferedOutputStream(client.getOutputStream(), BUFFER),
                            context()).run(false);
                    return;
                }
            }
            HeadDeadline deadline = new HeadDeadline(client, client.getInputStream());
            in = new BufferedInputStream(deadline, BUFFER);
            out = new BufferedOutputStream(client.getOutputStream(), BUFFER);
            boolean first = true;
            while (true) {
                // A new connection must speak soon; a kept-alive one may idle between requests. Either way the head,
                // once begun, must be whole within headMs, however its bytes are paced.
                deadline.arm(first ? firstByteMs : CLIENT_IDLE_MS, headMs);
                if (in.available() > 0) deadline.headStarted(); // a pipelined request, already buffered
                HttpHead request;
                try {
                    request = HttpHead.read(in);
                } catch (HttpHead.Malformed e) {
                    Refusal.badRequest(e.getMessage()).write(out, true);
                    return;
                }
                if (request == null) return;
                deadline.disarm(CLIENT_IDLE_MS); // bodies wait per read, as streams do
                first = false;
                if (!exchange(request)) return;
            }
        } catch (SocketTimeoutException e) {
            // an idle keep-alive connection: closing it is the normal end
        } catch (IOException e) {
            log.debug("endpoint connection from {} ended: {}", client.getRemoteSocketAddress(), e.toString());
        } finally {
            closeUpstream();
            counted.forEach(quota::release);
        }
    }

    /**
     * {@code Upgrade: h2c} (RFC 7540 3.2, what curl --http2 sends over plain HTTP): this request becomes stream 1 of
     * an HTTP/2 connection, checked and relayed like any stream. Only a bodiless request is upgraded (one with a body
     * is served as HTTP/1.1, as the RFC allows); the application never sees the upgrade.
     */
    private void upgradeToH2(HttpHead request, String method, String target) throws IOException {
        out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        org.eclipse.jetty.http.HttpFields.Mutable fields = org.eclipse.jetty.http.HttpFields.build();
        java.util.Set<String> skip = new java.util.HashSet<>(java.util.Set.of("host", "connection", "upgrade",
                "http2-settings", "keep-alive", "proxy-connection", "transfer-encoding", "te"));
        for (String v : request.all("Connection")) for (String t : v.split(",")) skip.add(t.strip().toLowerCase(java.util.Locale.ROOT));
        for (String[] f : request.fields()) {
            if (!skip.contains(f[0].toLowerCase(java.util.Locale.ROOT))) fields.add(f[0], f[1]);
        }
        String host = request.get("Host");
        org.eclipse.jetty.http.HttpURI uri = org.eclipse.jetty.http.HttpURI.build().scheme(tls ? "https" : "http")
                .authority(host == null ? "localhost" : host).pathQuery(target).asImmutable();
        new H2Server(client, in, out, context()).runUpgraded(new org.eclipse.jetty.http.MetaData.Request(method, uri,
                org.eclipse.jetty.http.HttpVersion.HTTP_2, fields), request.get("HTTP2-Settings"));
    }

    /**
     * The TLS handshake, within the first byte's deadline as a whole: a read timeout alone would let a client that
     * drips the handshake a byte at a time hold the connection for ever.
     */
    private void handshake(javax.net.ssl.SSLSocket ssl) throws IOException {
        ssl.setSoTimeout(firstByteMs);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread guard = Thread.ofVirtual().name("endpoint-handshake-deadline").start(() -> {
            try {
                Thread.sleep(firstByteMs);
                if (!done.get()) ssl.close();
            } catch (InterruptedException | IOException ignored) {
                // the handshake ended in time, or the socket is closed anyway
            }
        });
        try {
            ssl.startHandshake();
        } finally {
            done.set(true);
            guard.interrupt();
        }
    }

    private EndpointContext context() {
        return new EndpointContext(microvms, tokens, tls, firstByteMs, quota);
    }

    /** Serves one request; false when the connection must close after it. */
    private boolean exchange(HttpHead request) throws IOException {
        String[] line = request.startLine.split(" ", -1);
        if (line.length != 3 || line[0].isEmpty() || line[1].isEmpty()) {
            Refusal.badRequest("malformed request line").write(out, true);
            return false;
        }
        String method = line[0];
        String version = line[2];
        if (request.startLine.equals("PRI * HTTP/2.0") && counted.isEmpty()) { // HTTP/2 with prior knowledge (h2c)
            new H2Server(client, in, out, context()).run(true);
            return false;
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            new Refusal(505, "ValidationException", "only HTTP/1.1 and HTTP/1.0 are served").write(out, true);
            return false;
        }
        if (!tls && version.equals("HTTP/1.1") && request.lists("Upgrade", "h2c") && request.get("Content-Length") == null
                && request.get("Transfer-Encoding") == null && counted.isEmpty()) {
            upgradeToH2(request, method, line[1]);
            return false;
        }
        boolean keepAlive = version.equals("HTTP/1.1") ? !request.lists("Connection", "close")
                : request.lists("Connection", "keep-alive");
        Route route = Route.of(request.get("Host"), line[1]);
        if (route == null) {
            new Refusal(404, "ResourceNotFoundException", "the request names no microVM: use the endpoint GetMicrovm "
                    + "gives (http://<host>:<port>/<microvmId>/... or a Host of <microvmId>.<domain>)").write(out, !keepAlive);
            return keepAlive && drainBody(request);
        }
        Subprotocols offered;
        int port;
        HttpHead.Framing framing;
        if (shellApi != null && ShellPassage.wanted(request, route)) {
            try {
                Subprotocols o = Subprotocols.of(request);
                String given = request.get(AuthTokens.HEADER);
                String token = given != null ? given : o.token();
                tokens.checkShell(token, route.microvmId());
                ShellPassage.serve(request, route, token, o, shellApi, in, out, client);
                return false;
            } catch (AccessDenied | IllegalArgumentException notAShellToken) {
                // not the shell's: the application's /shell, checked as any request below
            }
        }
        try {
            offered = Subprotocols.of(request);
            port = Heads.port(request, offered);
            String token = request.get(AuthTokens.HEADER);
            tokens.checkEndpoint(token != null ? token : offered.token(), route.microvmId(), port);
            framing = request.requestFraming();
        } catch (AccessDenied e) {
            Refusal.denied(e.getMessage()).write(out, true);
            return false;
        } catch (HttpHead.Malformed | IllegalArgumentException e) {
            Refusal.badRequest(e.getMessage()).write(out, true);
            return false;
        }
        if (!counted.contains(route.microvmId())) {
            if (!quota.acquire(route.microvmId())) {
                new Refusal(503, "ServiceQuotaExceededException", "microVM " + route.microvmId() + " has "
                        + quota.limit() + " client connections open, its limit").write(out, true);
                return false;
            }
            counted.add(route.microvmId());
        }
        GuestLease lease;
        try {
            lease = microvms.use(route.microvmId());
        } catch (MicrovmException e) {
            Refusal.of(e).write(out, true);
            return false;
        }
        try {
            return relay(request, method, route, port, offered, framing, keepAlive, lease);
        } finally {
            lease.close();
        }
    }

    private boolean relay(HttpHead request, String method, Route route, int port, Subprotocols offered,
                          HttpHead.Framing framing, boolean keepAlive, GuestLease lease) throws IOException {
        HttpHead forward = Heads.forwarded(request, route, offered, client.getInetAddress(), tls);
        HttpHead response;
        CompletableFuture<Void> body;
        while (true) {
            try {
                connect(route.microvmId(), port, lease);
            } catch (AgentException e) {
                String why = switch (e.errno()) {
                    case ECONNREFUSED -> "nothing listens on port " + port + " in microVM " + route.microvmId();
                    case ENOSYS -> "the agent in microVM " + route.microvmId() + " predates endpoints: its image's snapshot"
                            + " was taken by an older Ember; build a new image version (UpdateMicrovmImage)";
                    default -> "cannot reach port " + port + " in microVM " + route.microvmId() + ": " + e.getMessage();
                };
                Refusal.badGateway(why).write(out, true);
                return false;
            }
            boolean retryable = upstream.reused && framing.kind() == HttpHead.Framing.Kind.NONE;
            Upstream up = upstream;
            try {
                forward.write(up.out);
                up.out.flush();
            } catch (IOException e) {
                closeUpstream();
                if (retryable) continue;
                Refusal.badGateway("the application's connection failed: " + e.getMessage()).write(out, true);
                return false;
            }
            body = pumpRequestBody(framing, up, lease);
            try {
                response = finalHead(up, method);
            } catch (HttpHead.Malformed e) {
                closeUpstream();
                Refusal.badGateway("the application answered a malformed message: " + e.getMessage()).write(out, true);
                return false;
            } catch (IOException e) {
                closeUpstream();
                Refusal.badGateway("the application's connection failed: " + e.getMessage()).write(out, true);
                return false;
            }
            if (response == null) { // the application closed a kept-alive connection: once more on a fresh one
                closeUpstream();
                if (retryable) continue;
                Refusal.badGateway("the application closed the connection without answering").write(out, true);
                return false;
            }
            break;
        }
        upstream.reused = true;
        int status = Heads.status(response);
        if (status == 101) {
            offered.confirmIn(response);
            response.write(out);
            out.flush();
            lease.close(); // an open WebSocket is not a request in flight; its inbound traffic is activity
            new Pipe(in, out, client, upstream, lease::touch).run();
            upstream = null;
            return false;
        }
        HttpHead.Framing answer;
        try {
            answer = response.responseFraming(method, status);
        } catch (HttpHead.Malformed e) {
            closeUpstream();
            Refusal.badGateway("the application answered a malformed message: " + e.getMessage()).write(out, true);
            return false;
        }
        boolean upstreamKeeps = !response.lists("Connection", "close") && response.startLine.startsWith("HTTP/1.1")
                && answer.kind() != HttpHead.Framing.Kind.UNTIL_CLOSE;
        boolean clientKeeps = keepAlive && answer.kind() != HttpHead.Framing.Kind.UNTIL_CLOSE;
        if (!clientKeeps) response.set("Connection", "close");
        else if (!upstreamKeeps) response.remove("Connection"); // the application's close is between it and us
        response.write(out);
        Bodies.copy(answer, upstream.in, out, lease::touch);
        if (!Bodies.wentUpWhole(body)) {
            closeUpstream();
            return false;
        }
        if (!upstreamKeeps) closeUpstream();
        return clientKeeps;
    }

    private void connect(String microvmId, int port, GuestLease lease) throws AgentException {
        if (upstream != null && upstream.serves(microvmId, port, lease.agent())) return;
        closeUpstream();
        upstream = Upstream.open(microvmId, port, lease.agent());
    }

    /** Skips interim answers (100 Continue, 103 Early Hints) after relaying them; null if the application hung up first. */
    private HttpHead finalHead(Upstream up, String method) throws IOException {
        while (true) {
            HttpHead h = HttpHead.read(up.in);
            if (h == null) return null;
            int status = Heads.status(h);
            if (status / 100 != 1 || status == 101) return h;
            h.write(out);
            out.flush();
        }
    }

    /** The request body goes up on its own thread, so an answer that comes first (or a 100 Continue) is not blocked. */
    private CompletableFuture<Void> pumpRequestBody(HttpHead.Framing framing, Upstream up, GuestLease lease) {
        if (framing.kind() == HttpHead.Framing.Kind.NONE) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("endpoint-body").start(() -> {
            try {
                Bodies.copy(framing, in, up.out, lease::touch);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
                up.close(); // the application would wait for the rest forever, and the answer's reader with it
            }
        });
        return done;
    }

    /** A refused request's body is read and dropped, so the connection can go on to the next request. */
    private boolean drainBody(HttpHead request) {
        try {
            HttpHead.Framing f = request.requestFraming();
            if (f.kind() == HttpHead.Framing.Kind.NONE) return true;
            if (f.kind() == HttpHead.Framing.Kind.LENGTH && f.length() <= 1 << 20) {
                in.skipNBytes(f.length());
                return true;
            }
        } catch (IOException e) {
            // fall through: close
        }
        return false;
    }

    private void closeUpstream() {
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
    }
}
