package io.ember.sdk;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A one-shot HTTP/1.1 upload sink with a small, fixed receive buffer: it reads 64 KiB of the body,
 * pauses, notes how much the client's source has produced by then, and drains the rest. With a
 * small buffer, a streaming client cannot have read far ahead of what the server took.
 */
final class SlowUploadServer implements AutoCloseable {
    private final ServerSocket socket;
    private final LongSupplier produced;
    private final CompletableFuture<long[]> result = new CompletableFuture<>();

    SlowUploadServer(LongSupplier produced) throws IOException {
        this.produced = produced;
        socket = new ServerSocket();
        socket.setReceiveBufferSize(16 * 1024); // inherited by accepted sockets; turns off autotuning
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serveOne, "slow-upload-server");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    long bodyBytes() throws Exception {
        return result.get()[0];
    }

    long producedAtPause() throws Exception {
        return result.get()[1];
    }

    private void serveOne() {
        try (Socket s = socket.accept()) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            boolean chunked = false;
            long length = -1;
            for (String line; !(line = readLine(in)).isEmpty(); ) {
                String l = line.toLowerCase(Locale.ROOT);
                if (l.startsWith("transfer-encoding:") && l.contains("chunked")) chunked = true;
                if (l.startsWith("content-length:")) length = Long.parseLong(l.substring(15).trim());
            }
            long[] counts = new long[2];
            Body body = new Body(in, chunked, length);
            body.skip(64 * 1024);
            Thread.sleep(500);
            counts[1] = produced.getAsLong();
            counts[0] = 64 * 1024 + body.skip(Long.MAX_VALUE);
            byte[] json = ("{\"path\":\"/workspace/x\",\"size\":" + counts[0] + "}").getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            result.complete(counts);
        } catch (Exception e) {
            result.completeExceptionally(e);
        }
    }

    /** Reads a chunked or fixed-length body, counting payload bytes. */
    private static final class Body {
        private final InputStream in;
        private final boolean chunked;
        private long left; // in the current chunk, or of the whole body

        Body(InputStream in, boolean chunked, long length) {
            this.in = in;
            this.chunked = chunked;
            this.left = chunked ? 0 : length;
        }

        long skip(long max) throws IOException {
            long done = 0;
            byte[] buf = new byte[8192];
            while (done < max) {
                if (left == 0) {
                    if (!chunked) break;
                    String size = readLine(in);
                    if (size.isEmpty()) size = readLine(in); // the CRLF that ends the previous chunk
                    left = Long.parseLong(size.split(";")[0].trim(), 16);
                    if (left == 0) {
                        while (!readLine(in).isEmpty()) { /* trailers */ }
                        break;
                    }
                }
                int n = in.read(buf, 0, (int) Math.min(buf.length, Math.min(left, max - done)));
                if (n < 0) throw new IOException("body ended early");
                left -= n;
                done += n;
            }
            return done;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
