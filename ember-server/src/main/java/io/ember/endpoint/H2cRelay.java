package io.ember.endpoint;

import io.ember.agent.AgentException;
import io.ember.microvm.GuestLease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PingFrame;
import org.eclipse.jetty.http2.frames.PrefaceFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.http2.frames.WindowUpdateFrame;
import org.eclipse.jetty.http2.parser.Parser;
import org.eclipse.jetty.io.MappedByteBufferPool;

/**
 * One client stream relayed to the application as HTTP/2 over cleartext (h2c, prior knowledge), as Lambda MicroVMs
 * does when the client sends {@code x-aws-proxy-force-h2: true}: what a gRPC server needs. Each such stream has an
 * upstream connection of its own carrying just that stream (id 1), so the client's streams never share flow control or
 * HPACK state with one another upstream, and a misbehaving application fails one stream only; the cost is one
 * connection to the guest per call. Headers are re-encoded (token, port and x-aws-proxy-* removed, the path of the
 * path form rewritten); DATA and trailers pass through as they come, within both sides' windows.
 */
final class H2cRelay {
    private static final int UPSTREAM_ID = 1;

    private final H2Server connection;
    private final H2Stream client;
    private final GuestLease lease;
    private final Route route;
    private final int port;
    private final H2Exchange exchange;
    private H2Out up;
    private H2Stream upStream;
    private volatile boolean responded, done;
    private volatile String failure;

    H2cRelay(H2Server connection, H2Stream client, GuestLease lease, Route route, int port, H2Exchange exchange) {
        this.connection = connection;
        this.client = client;
        this.lease = lease;
        this.route = route;
        this.port = port;
        this.exchange = exchange;
    }

    void run() throws IOException {
        Upstream socket;
        try {
            socket = Upstream.open(route.microvmId(), port, lease.agent());
        } catch (AgentException e) {
            exchange.refuse(Refusal.badGateway(e.errno() == 111 ? "nothing listens on port " + port + " in microVM "
                    + route.microvmId() : "cannot reach port " + port + " in microVM " + route.microvmId() + ": " + e.getMessage()));
            return;
        }
        try (socket) {
            client.onReset(socket::close);
            up = new H2Out(socket.out);
            upStream = new H2Stream(UPSTREAM_ID, null, up.initialStreamWindow(), H2Out.DEFAULT_WINDOW, false);
            up.control(new PrefaceFrame());
            up.control(new SettingsFrame(Map.of(SettingsFrame.ENABLE_PUSH, 0), false));
            boolean endStream = client.bodiless;
            up.headers(UPSTREAM_ID, upstreamRequest(), endStream);
            if (!endStream) Thread.ofVirtual().name("endpoint-h2c-body").start(() -> pumpBody(socket));
            Parser parser = new Parser(new MappedByteBufferPool(), 4096, H2Server.MAX_HEADER_LIST);
            parser.init(new Listener());
            byte[] buf = new byte[16 * 1024];
            while (!done && failure == null) {
                int n = socket.in.read(buf);
                if (n < 0) break;
                parser.parse(ByteBuffer.wrap(buf, 0, n));
            }
            if (!done) {
                String why = failure != null ? failure : "the application closed the connection mid-answer";
                if (!responded) {
                    exchange.refuse(Refusal.badGateway("the application on port " + port + " did not answer as an HTTP/2"
                            + " (h2c) server (x-aws-proxy-force-h2: true asks for one): " + why));
                } else {
                    connection.out.control(new ResetFrame(client.id, ErrorCode.INTERNAL_ERROR.code));
                }
            }
        } finally {
            client.onReset(() -> { });
            if (up != null) up.close();
        }
    }

    /** The client's request as the application sees it: ours removed, the target rewritten, who asked added. */
    private MetaData.Request upstreamRequest() {
        MetaData.Request req = client.request;
        HttpFields.Mutable fields = HttpFields.build();
        for (HttpField f : req.getFields()) {
            String name = f.getName().toLowerCase(Locale.ROOT);
            if (name.startsWith(Heads.PROXY_PREFIX) || name.startsWith("x-forwarded-") || name.equals("forwarded")) continue;
            fields.add(f.getName(), f.getValue());
        }
        fields.add("x-forwarded-for", connection.client.getInetAddress().getHostAddress());
        fields.add("x-forwarded-proto", connection.context.tls() ? "https" : "http");
        String authority = req.getURI().getAuthority();
        if (authority != null) fields.add("x-forwarded-host", authority);
        if (route.prefix() != null) fields.add("x-forwarded-prefix", route.prefix());
        HttpURI uri = HttpURI.build().scheme("http").authority(authority == null ? "localhost" : authority)
                .pathQuery(route.target()).asImmutable();
        return new MetaData.Request(req.getMethod(), uri, HttpVersion.HTTP_2, fields, req.getContentLength());
    }

    private void pumpBody(Upstream socket) {
        try {
            for (byte[] piece; (piece = client.take(ProxyConnection.CLIENT_IDLE_MS)) != null; ) {
                up.data(upStream, piece, 0, piece.length, false);
                connection.consumed(client, piece.length);
                lease.touch();
            }
            HttpFields trailers = client.trailers();
            if (trailers != null) up.headers(UPSTREAM_ID, new MetaData(HttpVersion.HTTP_2, trailers), true);
            else up.data(upStream, new byte[0], 0, 0, true);
        } catch (IOException | RuntimeException e) {
            failure = "the request body did not go up: " + e.getMessage();
            socket.close();
        }
    }

    private final class Listener extends Parser.Listener.Adapter {
        @Override
        public void onHeaders(HeadersFrame frame) {
            if (frame.getStreamId() != UPSTREAM_ID) return;
            try {
                MetaData meta = frame.getMetaData();
                if (!responded) {
                    if (!(meta instanceof MetaData.Response response)) {
                        failure = "a header block that is not an answer";
                        return;
                    }
                    if (response.getStatus() / 100 == 1) return; // interim: the final answer follows
                    responded = true;
                    exchange.markAnswered();
                    connection.out.headers(client.id, new MetaData.Response(HttpVersion.HTTP_2, response.getStatus(),
                            response.getFields()), frame.isEndStream());
                } else {
                    connection.out.headers(client.id, new MetaData(HttpVersion.HTTP_2, meta.getFields()), true);
                }
                if (frame.isEndStream()) done = true;
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }

        @Override
        public void onData(DataFrame frame) {
            if (frame.getStreamId() != UPSTREAM_ID || !responded) {
                failure = "DATA before an answer";
                return;
            }
            int n = frame.remaining() + frame.padding();
            ByteBuffer data = frame.getData();
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            try {
                connection.out.data(client, copy, 0, copy.length, frame.isEndStream());
                lease.touch();
                if (frame.isEndStream()) {
                    done = true;
                    return;
                }
                if (n > 0) { // what went on to the client may come again
                    up.control(new WindowUpdateFrame(0, n));
                    up.control(new WindowUpdateFrame(UPSTREAM_ID, n));
                }
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }

        @Override
        public void onSettings(SettingsFrame frame) {
            if (frame.isReply()) return;
            int delta = up.peerSettings(frame.getSettings());
            if (delta != 0) up.shiftStreamWindow(upStream, delta);
            try {
                up.control(new SettingsFrame(Map.of(), true));
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }

        @Override
        public void onPing(PingFrame frame) {
            if (frame.isReply()) return;
            try {
                up.control(new PingFrame(frame.getPayload(), true));
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }

        @Override
        public void onWindowUpdate(WindowUpdateFrame frame) {
            up.windowUpdated(frame.getStreamId() == 0 ? null : upStream, frame.getWindowDelta());
        }

        @Override
        public void onReset(ResetFrame frame) {
            try {
                connection.out.control(new ResetFrame(client.id, frame.getError()));
                exchange.markAnswered();
                done = true;
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }

        @Override
        public void onGoAway(GoAwayFrame frame) {
            if (!done) failure = "the application said GOAWAY (" + ErrorCode.from(frame.getError()) + ")";
        }

        @Override
        public void onStreamFailure(int streamId, int error, String reason) {
            failure = reason;
        }

        @Override
        public void onConnectionFailure(int error, String reason) {
            failure = reason;
        }
    }
}
