package io.ember.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PingFrame;
import org.eclipse.jetty.http2.frames.PushPromiseFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.http2.frames.WindowUpdateFrame;
import org.eclipse.jetty.http2.parser.ServerParser;
import org.eclipse.jetty.http2.parser.WindowRateControl;
import org.eclipse.jetty.io.MappedByteBufferPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection that speaks HTTP/2 (ALPN {@code h2} over TLS, or the prior-knowledge preface on a plain
 * listener). Frames are parsed by Jetty's parser (HPACK, CONTINUATION, frame and header-list bounds, a rate limit on
 * frames that do no work); each stream is an {@link H2Exchange} on its own virtual thread, authenticated and routed
 * on its own, and relayed to the application as HTTP/1.1 (or as HTTP/2 when the client asks with
 * {@code x-aws-proxy-force-h2: true}). Everything a client can make us hold is bounded: at most
 * {@value #MAX_STREAMS} streams at once (counted until their exchange ends, so a client that resets streams at once
 * cannot run more), a request body buffered up to its stream window ({@value #STREAM_WINDOW} bytes) and, over all
 * streams, to the connection window ({@value #CONNECTION_WINDOW} bytes).
 */
final class H2Server {
    private static final Logger log = LoggerFactory.getLogger(H2Server.class);
    static final int MAX_STREAMS = 100;
    static final int STREAM_WINDOW = 65_535;
    static final int CONNECTION_WINDOW = 1 << 20;
    static final int MAX_HEADER_LIST = 64 * 1024;
    /** Frames that do no work (empty DATA, PING, SETTINGS, PRIORITY, resets) a client may send per second. */
    private static final int RATE_LIMIT = 128;

    final Socket client;
    final EndpointContext context;
    final H2Out out;
    private final InputStream in;
    private final ServerParser parser;
    private final Map<Integer, H2Stream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final List<Upstream> idle = new ArrayList<>();
    private int lastStreamId;
    private int connectionReceive = CONNECTION_WINDOW;
    /** The microVMs this connection counts against (see {@link ConnectionQuota}). */
    private final java.util.Set<String> counted = new java.util.HashSet<>();
    private volatile boolean goingAway;
    private volatile boolean failed;

    H2Server(Socket client, InputStream in, java.io.OutputStream out, EndpointContext context) {
        this.client = client;
        this.in = in;
        this.out = new H2Out(out);
        this.context = context;
        this.parser = new ServerParser(new MappedByteBufferPool(), 4096, MAX_HEADER_LIST,
                new WindowRateControl(RATE_LIMIT, Duration.ofSeconds(1)));
        this.parser.init(new Listener());
    }

    /** Serves the connection until it ends; {@code prefaceLineRead}: "PRI * HTTP/2.0" was already read as a request line. */
    void run(boolean prefaceLineRead) throws IOException {
        if (prefaceLineRead) parser.directUpgrade();
        try {
            out.control(new SettingsFrame(Map.of(SettingsFrame.MAX_CONCURRENT_STREAMS, MAX_STREAMS,
                    SettingsFrame.INITIAL_WINDOW_SIZE, STREAM_WINDOW, SettingsFrame.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST), false));
            out.control(new WindowUpdateFrame(0, CONNECTION_WINDOW - H2Out.DEFAULT_WINDOW));
            client.setSoTimeout(context.firstByteMillis()); // the preface must come soon, as a request head must
            byte[] buf = new byte[16 * 1024];
            while (!failed) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    if (running.get() > 0) continue; // a long answer in flight: the client has nothing to say
                    out.control(new GoAwayFrame(lastStreamId(), ErrorCode.NO_ERROR.code, "idle".getBytes(StandardCharsets.US_ASCII)));
                    return;
                }
                if (n < 0) return;
                client.setSoTimeout(ProxyConnection.CLIENT_IDLE_MS);
                parser.parse(ByteBuffer.wrap(buf, 0, n));
                if (goingAway && running.get() == 0) return;
            }
        } finally {
            out.close();
            streams.values().forEach(H2Stream::markReset);
            synchronized (counted) {
                counted.forEach(context.quota()::release);
                counted.clear();
            }
            synchronized (idle) {
                idle.forEach(Upstream::close);
                idle.clear();
            }
        }
    }

    /**
     * Serves a connection that asked to become HTTP/2 with {@code Upgrade: h2c} (RFC 7540 3.2): the 101 was written,
     * {@code request} (bodiless) becomes stream 1, half-closed by the client, and {@code settings} (the
     * HTTP2-Settings header, base64url) are the client's first SETTINGS.
     */
    void runUpgraded(MetaData.Request request, String settings) throws IOException {
        parser.standardUpgrade();
        if (settings != null && !settings.isBlank()) {
            SettingsFrame given;
            try {
                given = org.eclipse.jetty.http2.parser.SettingsBodyParser.parseBody(
                        ByteBuffer.wrap(java.util.Base64.getUrlDecoder().decode(settings.strip())));
            } catch (IllegalArgumentException e) {
                given = null;
            }
            if (given == null) throw new IOException("a malformed HTTP2-Settings header");
            out.peerSettings(given.getSettings());
        }
        synchronized (this) {
            lastStreamId = 1;
        }
        startStream(new H2Stream(1, request, out.initialStreamWindow(), STREAM_WINDOW, true));
        run(false);
    }

    private synchronized int lastStreamId() {
        return lastStreamId;
    }

    /** The exchange forwarded {@code n} body bytes of {@code stream}: the client may send as many again. */
    void consumed(H2Stream stream, int n) throws IOException {
        if (n <= 0) return;
        stream.reopened(n);
        synchronized (this) {
            connectionReceive += n;
        }
        out.control(new WindowUpdateFrame(0, n));
        if (!stream.requestEnded()) out.control(new WindowUpdateFrame(stream.id, n));
    }

    /** Counts this connection against {@code microvmId}'s connection limit once; false when the limit is reached. */
    boolean admit(String microvmId) {
        synchronized (counted) {
            if (counted.contains(microvmId)) return true;
            if (!context.quota().acquire(microvmId)) return false;
            counted.add(microvmId);
            return true;
        }
    }

    /** A kept connection to the application for this microVM and port, if one is idle. */
    Upstream borrow(String microvmId, int port, io.ember.agent.GuestAgent agent) {
        synchronized (idle) {
            for (int i = idle.size() - 1; i >= 0; i--) {
                Upstream u = idle.get(i);
                if (u.serves(microvmId, port, agent)) return idle.remove(i);
            }
        }
        return null;
    }

    void giveBack(Upstream u) {
        synchronized (idle) {
            if (idle.size() < 8 && !failed) {
                idle.add(u);
                return;
            }
        }
        u.close();
    }

    private void fail(ErrorCode error, String reason) {
        if (failed) return;
        failed = true;
        try {
            out.control(new GoAwayFrame(lastStreamId(), error.code, reason == null ? null : reason.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            log.debug("cannot say GOAWAY: {}", e.toString());
        }
        try {
            client.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void reset(int streamId, ErrorCode error) {
        try {
            out.control(new ResetFrame(streamId, error.code));
        } catch (IOException e) {
            fail(ErrorCode.INTERNAL_ERROR, null);
        }
    }

    private void open(HeadersFrame frame) {
        int id = frame.getStreamId();
        synchronized (this) {
            if (id <= lastStreamId || id % 2 == 0) {
                fail(ErrorCode.PROTOCOL_ERROR, "stream " + id + " reused or not a client stream");
                return;
            }
            lastStreamId = id;
        }
        if (!(frame.getMetaData() instanceof MetaData.Request request)) {
            fail(ErrorCode.PROTOCOL_ERROR, "a request without its pseudo-headers");
            return;
        }
        if (goingAway || running.get() >= MAX_STREAMS) {
            reset(id, ErrorCode.REFUSED_STREAM_ERROR);
            return;
        }
        startStream(new H2Stream(id, request, out.initialStreamWindow(), STREAM_WINDOW, frame.isEndStream()));
    }

    private void startStream(H2Stream stream) {
        int id = stream.id;
        streams.put(id, stream);
        running.incrementAndGet();
        Thread.ofVirtual().name("endpoint-h2-stream").start(() -> {
            try {
                new H2Exchange(this, stream).run();
                // Answered before the client finished its request body (a refusal, an early answer): tell it to stop
                // sending (RFC 9113 8.1), or it would wait for window on this stream for ever.
                if (!stream.requestEnded() && !stream.reset()) reset(id, ErrorCode.NO_ERROR);
            } finally {
                streams.remove(id);
                running.decrementAndGet();
                // a client that said GOAWAY waits for its last streams; wake the reader's check
                if (goingAway && running.get() == 0) fail(ErrorCode.NO_ERROR, null);
            }
        });
    }

    private final class Listener extends ServerParser.Listener.Adapter {
        @Override
        public void onHeaders(HeadersFrame frame) {
            H2Stream stream = streams.get(frame.getStreamId());
            if (stream == null) {
                open(frame);
            } else if (!frame.isEndStream() || stream.requestEnded()) {
                fail(ErrorCode.PROTOCOL_ERROR, "a second header block that does not end the stream");
            } else {
                stream.receivedTrailers(frame.getMetaData().getFields());
            }
        }

        @Override
        public void onData(DataFrame frame) {
            int length = (frame.remaining() + frame.padding());
            synchronized (H2Server.this) {
                connectionReceive -= length;
                if (connectionReceive < 0) {
                    fail(ErrorCode.FLOW_CONTROL_ERROR, "more data than the connection window");
                    return;
                }
            }
            ByteBuffer data = frame.getData();
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            H2Stream stream = streams.get(frame.getStreamId());
            try {
                if (stream == null || stream.reset()) { // a stream we closed: its bytes still counted on the connection
                    synchronized (H2Server.this) {
                        connectionReceive += length;
                    }
                    out.control(new WindowUpdateFrame(0, length));
                    return;
                }
                if (!stream.received(copy, length, frame.isEndStream())) {
                    reset(stream.id, ErrorCode.FLOW_CONTROL_ERROR);
                    stream.markReset();
                    return;
                }
                if (length > copy.length) consumed(stream, length - copy.length); // padding: nothing to forward
            } catch (IOException e) {
                fail(ErrorCode.INTERNAL_ERROR, null);
            }
        }

        @Override
        public void onSettings(SettingsFrame frame) {
            if (frame.isReply()) return;
            int delta = out.peerSettings(frame.getSettings());
            if (delta != 0) streams.values().forEach(s -> out.shiftStreamWindow(s, delta));
            try {
                out.control(new SettingsFrame(Map.of(), true));
            } catch (IOException e) {
                fail(ErrorCode.INTERNAL_ERROR, null);
            }
        }

        @Override
        public void onPing(PingFrame frame) {
            if (frame.isReply()) return;
            try {
                out.control(new PingFrame(frame.getPayload(), true));
            } catch (IOException e) {
                fail(ErrorCode.INTERNAL_ERROR, null);
            }
        }

        @Override
        public void onWindowUpdate(WindowUpdateFrame frame) {
            if (frame.getStreamId() == 0) {
                if (!out.windowUpdated(null, frame.getWindowDelta())) fail(ErrorCode.FLOW_CONTROL_ERROR, "window overflow");
                return;
            }
            H2Stream stream = streams.get(frame.getStreamId());
            if (stream != null && !out.windowUpdated(stream, frame.getWindowDelta())) {
                reset(stream.id, ErrorCode.FLOW_CONTROL_ERROR);
                stream.markReset();
            }
        }

        @Override
        public void onReset(ResetFrame frame) {
            H2Stream stream = streams.get(frame.getStreamId());
            if (stream != null) stream.markReset();
        }

        @Override
        public void onGoAway(GoAwayFrame frame) {
            goingAway = true;
        }

        @Override
        public void onPushPromise(PushPromiseFrame frame) {
            fail(ErrorCode.PROTOCOL_ERROR, "a client cannot push");
        }

        @Override
        public void onStreamFailure(int streamId, int error, String reason) {
            reset(streamId, ErrorCode.from(error) == null ? ErrorCode.PROTOCOL_ERROR : ErrorCode.from(error));
            H2Stream stream = streams.get(streamId);
            if (stream != null) stream.markReset();
        }

        @Override
        public void onConnectionFailure(int error, String reason) {
            fail(ErrorCode.from(error) == null ? ErrorCode.PROTOCOL_ERROR : ErrorCode.from(error), reason);
        }
    }
}
