package io.ember.endpoint;

import io.ember.agent.AgentException;
import io.ember.microvm.GuestLease;
import io.ember.microvm.MicrovmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream, end to end: checked as an HTTP/1.1 request would be (route, token, port, limits: the same code),
 * then relayed to the application as HTTP/1.1, which is what Lambda MicroVMs does unless the client asks for HTTP/2
 * upstream ({@code x-aws-proxy-force-h2: true}, see {@link H2cRelay}). The request body streams up as DATA arrives
 * (chunked when the client gave no length), the answer streams back as DATA as the application writes it, and a
 * chunked answer's trailers become the stream's trailing HEADERS.
 */
final class H2Exchange {
    private static final Logger log = LoggerFactory.getLogger(H2Exchange.class);
    static final String FORCE_H2 = "x-aws-proxy-force-h2";
    /** Fields that are about one HTTP/1.1 connection and mean nothing (or are forbidden) in HTTP/2. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te");
    private static final int BUFFER = 16 * 1024;

    private final H2Server connection;
    private final H2Stream stream;
    private boolean answered;

    H2Exchange(H2Server connection, H2Stream stream) {
        this.connection = connection;
        this.stream = stream;
    }

    void run() {
        try {
            serve();
        } catch (IOException | RuntimeException e) {
            log.debug("HTTP/2 stream {} ended: {}", stream.id, e.toString());
            if (!stream.reset()) {
                try {
                    if (!answered) refuse(Refusal.badGateway(e.getMessage() == null ? e.toString() : e.getMessage()));
                    else connection.out.control(new ResetFrame(stream.id, ErrorCode.INTERNAL_ERROR.code));
                } catch (IOException ignored) {
                    // the connection is gone
                }
            }
        }
    }

    private void serve() throws IOException {
        MetaData.Request req = stream.request;
        String method = req.getMethod();
        if ("CONNECT".equals(method)) {
            refuse(new Refusal(405, "ValidationException", "CONNECT is not served by the endpoint"));
            return;
        }
        String authority = req.getURI().getAuthority();
        String target = req.getURI().getPathQuery();
        if (target == null || target.isEmpty()) target = "/";
        HttpHead head = asHttp1(method, target, authority, req.getFields());
        Route route = Route.of(authority, target);
        if (route == null) {
            refuse(new Refusal(404, "ResourceNotFoundException", "the request names no microVM: use the endpoint GetMicrovm"
                    + " gives (https://<host>:<port>/<microvmId>/... or :authority <microvmId>.<domain>)"));
            return;
        }
        Subprotocols offered;
        int port;
        try {
            offered = Subprotocols.of(head);
            port = Heads.port(head, offered);
            String token = head.get(AuthTokens.HEADER);
            connection.context.tokens().checkEndpoint(token != null ? token : offered.token(), route.microvmId(), port);
        } catch (AccessDenied e) {
            refuse(Refusal.denied(e.getMessage()));
            return;
        } catch (IllegalArgumentException e) {
            refuse(Refusal.badRequest(e.getMessage()));
            return;
        }
        if (!connection.admit(route.microvmId())) {
            refuse(new Refusal(503, "ServiceQuotaExceededException", "microVM " + route.microvmId()
                    + " has " + connection.context.quota().limit() + " client connections open, its limit"));
            return;
        }
        boolean forceH2 = "true".equalsIgnoreCase(head.get(FORCE_H2));
        GuestLease lease;
        try {
            lease = connection.context.microvms().use(route.microvmId());
        } catch (MicrovmException e) {
            refuse(Refusal.of(e));
            return;
        }
        try {
            if (forceH2) {
                new H2cRelay(connection, stream, lease, route, port, this).run();
            } else {
                relay(method, head, route, offered, port, lease);
            }
        } finally {
            lease.close();
        }
    }

    /** The request as the HTTP/1.1 relay knows it: Host from :authority, cookies joined as HTTP/1.1 wants them. */
    static HttpHead asHttp1(String method, String target, String authority, HttpFields fields) {
        List<String[]> out = new ArrayList<>();
        if (authority != null) out.add(new String[] {"Host", authority});
        List<String> cookies = new ArrayList<>();
        for (HttpField f : fields) {
            String name = f.getName();
            if (name.equalsIgnoreCase("host")) continue; // :authority wins (RFC 9113 8.3.1)
            if (name.equalsIgnoreCase("cookie")) cookies.add(f.getValue());
            else out.add(new String[] {name, f.getValue()});
        }
        if (!cookies.isEmpty()) out.add(new String[] {"Cookie", String.join("; ", cookies)});
        return new HttpHead(method + " " + target + " HTTP/1.1", out);
    }

    private void relay(String method, HttpHead head, Route route, Subprotocols offered, int port, GuestLease lease)
            throws IOException {
        HttpHead forward = Heads.forwarded(head, route, offered, connection.client.getInetAddress(), connection.context.tls());
        boolean hasBody = !stream.bodiless;
        boolean chunked = hasBody && head.get("Content-Length") == null;
        if (chunked) forward.set("Transfer-Encoding", "chunked");
        forward.remove("Connection");
        Upstream up = connection.borrow(route.microvmId(), port, lease.agent());
        if (up == null) up = open(route.microvmId(), port, lease);
        if (up == null) return;
        Upstream upstream = up;
        stream.onReset(upstream::close);
        forward.write(upstream.out);
        upstream.out.flush();
        CompletableFuture<Void> body = hasBody ? pumpBody(upstream, chunked, lease) : CompletableFuture.completedFuture(null);
        HttpHead response;
        int status;
        while (true) {
            response = HttpHead.read(upstream.in);
            if (response == null) throw new IOException("the application closed the connection before answering");
            status = Heads.status(response);
            if (status / 100 != 1) break;
            if (status == 101) throw new IOException("the application switched protocols, which HTTP/2 cannot carry");
        }
        HttpHead.Framing framing = response.responseFraming(method, status);
        HttpFields.Mutable fields = HttpFields.build();
        for (String[] f : h2Fields(response)) fields.add(f[0], f[1]);
        boolean noBody = framing.kind() == HttpHead.Framing.Kind.NONE;
        // Jetty's encoder takes a header block of up to one frame (16 KiB encoded): a larger answer head fails here,
        // before anything was sent, and the client gets a 502 saying so.
        connection.out.headers(stream.id, new MetaData.Response(HttpVersion.HTTP_2, status, fields), noBody);
        answered = true;
        switch (framing.kind()) {
            case NONE -> { }
            case LENGTH -> copy(upstream.in, framing.length(), lease);
            case UNTIL_CLOSE -> copy(upstream.in, -1, lease);
            case CHUNKED -> copyChunked(upstream.in, lease);
        }
        boolean bodyDone = Bodies.wentUpWhole(body);
        boolean keeps = bodyDone && framing.kind() != HttpHead.Framing.Kind.UNTIL_CLOSE
                && !response.lists("Connection", "close") && response.startLine.startsWith("HTTP/1.1") && !stream.reset();
        stream.onReset(() -> { });
        if (keeps) connection.giveBack(upstream);
        else upstream.close();
    }

    /** The answer's fields as HTTP/2 carries them: lower-case names, nothing about the HTTP/1.1 connection. */
    static List<String[]> h2Fields(HttpHead response) {
        Set<String> listed = new java.util.HashSet<>(HOP_BY_HOP);
        for (String v : response.all("Connection")) {
            for (String t : v.split(",")) listed.add(t.strip().toLowerCase(Locale.ROOT));
        }
        List<String[]> out = new ArrayList<>();
        for (String[] f : response.fields()) {
            String name = f[0].toLowerCase(Locale.ROOT);
            if (!listed.contains(name)) out.add(new String[] {name, f[1]});
        }
        return out;
    }

    private Upstream open(String microvmId, int port, GuestLease lease) throws IOException {
        try {
            return Upstream.open(microvmId, port, lease.agent());
        } catch (AgentException e) {
            String why = e.errno() == 111 ? "nothing listens on port " + port + " in microVM " + microvmId
                    : "cannot reach port " + port + " in microVM " + microvmId + ": " + e.getMessage();
            refuse(Refusal.badGateway(why));
            return null;
        }
    }

    /** The request body goes up on its own thread, so an answer that comes first is not held back by it. */
    private CompletableFuture<Void> pumpBody(Upstream up, boolean chunked, GuestLease lease) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("endpoint-h2-body").start(() -> {
            try {
                OutputStream o = up.out;
                for (byte[] piece; (piece = stream.take(ProxyConnection.CLIENT_IDLE_MS)) != null; ) {
                    if (chunked) o.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    o.write(piece);
                    if (chunked) o.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    o.flush();
                    connection.consumed(stream, piece.length);
                    lease.touch();
                }
                if (chunked) {
                    StringBuilder end = new StringBuilder("0\r\n");
                    HttpFields trailers = stream.trailers();
                    if (trailers != null) for (HttpField f : trailers) end.append(f.getName()).append(": ").append(f.getValue()).append("\r\n");
                    o.write(end.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    o.flush();
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
                up.close(); // the application would wait for the rest forever, and the answer's reader with it
            }
        });
        return done;
    }

    /** {@code length} bytes, or to the end of the stream when -1, as DATA; the last piece ends the stream. */
    private void copy(InputStream in, long length, GuestLease lease) throws IOException {
        byte[] buf = new byte[BUFFER];
        long left = length;
        while (left != 0) {
            int n = in.read(buf, 0, (int) (left < 0 ? buf.length : Math.min(buf.length, left)));
            if (n < 0) {
                if (length >= 0) throw new IOException("the answer ended " + left + " bytes short of its length");
                break;
            }
            if (left > 0) left -= n;
            connection.out.data(stream, buf, 0, n, left == 0);
            lease.touch();
        }
        if (length <= 0) connection.out.data(stream, buf, 0, 0, true); // until close, or an empty body: end it now
    }

    /** A chunked answer: each chunk's bytes as DATA, its trailers (gRPC's status, say) as the closing HEADERS. */
    private void copyChunked(InputStream in, GuestLease lease) throws IOException {
        while (true) {
            String line = Bodies.line(in);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new HttpHead.Malformed("an invalid chunk size");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) break;
            byte[] buf = new byte[BUFFER];
            for (long left = size; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException("the answer ended inside a chunk");
                connection.out.data(stream, buf, 0, n, false);
                left -= n;
            }
            if (!Bodies.line(in).isEmpty()) throw new HttpHead.Malformed("a chunk longer than its size");
            lease.touch();
        }
        HttpFields.Mutable trailers = HttpFields.build();
        for (int i = 0; ; i++) {
            String t = Bodies.line(in);
            if (t.isEmpty()) break;
            if (i >= 64) throw new HttpHead.Malformed("too many trailer fields");
            int colon = t.indexOf(':');
            if (colon <= 0) throw new HttpHead.Malformed("a malformed trailer field");
            String name = t.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name)) trailers.add(name, t.substring(colon + 1).strip());
        }
        if (trailers.size() == 0) connection.out.data(stream, new byte[0], 0, 0, true);
        else connection.out.headers(stream.id, new MetaData(HttpVersion.HTTP_2, trailers), true);
    }

    /** An answer of the endpoint's own, with the same typed JSON body as over HTTP/1.1. */
    void refuse(Refusal r) throws IOException {
        answered = true;
        byte[] body = r.body();
        HttpFields.Mutable fields = HttpFields.build().add("content-type", "application/json")
                .add("x-amzn-errortype", r.type()).add("content-length", Integer.toString(body.length));
        connection.out.headers(stream.id, new MetaData.Response(HttpVersion.HTTP_2, r.status(), fields), false);
        connection.out.data(stream, body, 0, body.length, true);
    }

    void markAnswered() {
        answered = true;
    }
}
