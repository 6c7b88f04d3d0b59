package io.ember.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.Frame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PrefaceFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.http2.generator.Generator;
import org.eclipse.jetty.http2.parser.Parser;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.MappedByteBufferPool;

/** A bare HTTP/2 client for tests that need frames a library client will not send (prior knowledge, floods). */
final class H2Wire {
    private static final ByteBufferPool POOL = new MappedByteBufferPool();
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Generator generator = new Generator(POOL);
    private final Parser parser = new Parser(POOL, 4096, 64 * 1024);
    final List<Frame> frames = new ArrayList<>();

    record Answer(int status, HttpFields fields, String body, HttpFields trailers, Integer resetError) {}

    H2Wire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        parser.init(new Parser.Listener.Adapter() {
            @Override public void onHeaders(HeadersFrame f) { frames.add(f); }
            @Override public void onData(DataFrame f) {
                byte[] b = new byte[f.getData().remaining()];
                f.getData().get(b);
                frames.add(new DataFrame(f.getStreamId(), ByteBuffer.wrap(b), f.isEndStream()));
            }
            @Override public void onReset(ResetFrame f) { frames.add(f); }
            @Override public void onGoAway(GoAwayFrame f) { frames.add(f); }
            @Override public void onSettings(SettingsFrame f) { frames.add(f); }
        });
    }

    void preface() throws IOException {
        send(new PrefaceFrame());
        send(new SettingsFrame(Map.of(), false));
    }

    void send(Frame f) throws IOException {
        ByteBufferPool.Lease lease = new ByteBufferPool.Lease(POOL);
        try {
            generator.control(lease, f);
        } catch (org.eclipse.jetty.http2.hpack.HpackException e) {
            throw new IOException(e);
        }
        write(lease);
    }

    void data(int stream, byte[] bytes, boolean end) throws IOException {
        ByteBufferPool.Lease lease = new ByteBufferPool.Lease(POOL);
        generator.data(lease, new DataFrame(stream, ByteBuffer.wrap(bytes), end), bytes.length);
        write(lease);
    }

    /** {@code pairs}: pseudo-headers (:method, :scheme, :authority, :path) and fields, name then value. */
    void headers(int stream, List<String> pairs, boolean end) throws IOException {
        HttpFields.Mutable fields = HttpFields.build();
        String method = null, scheme = null, authority = null, path = null;
        for (int i = 0; i < pairs.size(); i += 2) {
            String n = pairs.get(i), v = pairs.get(i + 1);
            switch (n) {
                case ":method" -> method = v;
                case ":scheme" -> scheme = v;
                case ":authority" -> authority = v;
                case ":path" -> path = v;
                default -> fields.add(n, v);
            }
        }
        HttpURI uri = HttpURI.build().scheme(scheme).authority(authority).pathQuery(path).asImmutable();
        send(new HeadersFrame(stream, new MetaData.Request(method, uri, HttpVersion.HTTP_2, fields), null, end));
    }

    private void write(ByteBufferPool.Lease lease) throws IOException {
        for (ByteBuffer b : lease.getByteBuffers()) {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a);
        }
        out.flush();
        lease.recycle();
    }

    /** Reads frames until {@code stream} ends (or is reset, or the connection ends); its answer. */
    Answer answer(int stream) throws IOException {
        byte[] buf = new byte[16 * 1024];
        while (true) {
            Answer a = collect(stream);
            if (a != null) return a;
            int n = in.read(buf);
            if (n < 0) throw new IOException("connection ended; frames: " + frames);
            parser.parse(ByteBuffer.wrap(buf, 0, n));
        }
    }

    /** Reads frames until {@code stream} is reset; the error code. */
    int resetOf(int stream) throws IOException {
        byte[] buf = new byte[16 * 1024];
        while (true) {
            for (Frame f : frames) if (f instanceof ResetFrame r && r.getStreamId() == stream) return r.getError();
            int n = in.read(buf);
            if (n < 0) throw new IOException("connection ended; frames: " + frames);
            parser.parse(ByteBuffer.wrap(buf, 0, n));
        }
    }

    private Answer collect(int stream) {
        int status = 0;
        HttpFields fields = null, trailers = null;
        StringBuilder body = new StringBuilder();
        for (Frame f : frames) {
            if (f instanceof ResetFrame r && r.getStreamId() == stream) return new Answer(status, fields, body.toString(), null, r.getError());
            if (f instanceof HeadersFrame h && h.getStreamId() == stream) {
                if (h.getMetaData() instanceof MetaData.Response resp) {
                    status = resp.getStatus();
                    fields = resp.getFields();
                } else {
                    trailers = h.getMetaData().getFields();
                }
                if (h.isEndStream()) return new Answer(status, fields, body.toString(), trailers, null);
            }
            if (f instanceof DataFrame d && d.getStreamId() == stream) {
                body.append(StandardCharsets.UTF_8.decode(d.getData().duplicate()));
                if (d.isEndStream()) return new Answer(status, fields, body.toString(), trailers, null);
            }
        }
        return null;
    }
}
