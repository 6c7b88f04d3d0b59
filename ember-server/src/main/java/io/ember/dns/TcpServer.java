package io.ember.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): two-byte length, then the message, possibly several per connection. Each
 * connection is bounded: {@link #MAX_QUERIES} queries, {@link #IDLE_MILLIS} without a complete query, and
 * {@link #MAX_CONNECTIONS} connections at once (beyond that a new one is closed at once). A message the handler drops
 * (no header, an answer) closes the connection.
 */
final class TcpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    static final int MAX_QUERIES = 16, IDLE_MILLIS = 10_000, MAX_CONNECTIONS = 256;

    private final ServerSocket server;
    private final QueryHandler handler;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    TcpServer(InetSocketAddress bind, QueryHandler handler) throws IOException {
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(bind, 128);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        this.handler = handler;
        this.acceptor = Thread.ofVirtual().name("dns-tcp").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) log.debug("DNS TCP accept failed: {}", e.toString());
                continue;
            }
            if (!slots.tryAcquire()) {
                closeQuietly(s);
                continue;
            }
            open.add(s);
            Thread.ofVirtual().name("dns-tcp-conn").start(() -> {
                try (s) {
                    serve(s);
                } catch (IOException | RuntimeException e) {
                    log.debug("DNS TCP connection from {} ended: {}", s.getRemoteSocketAddress(), e.toString());
                } finally {
                    open.remove(s);
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (int i = 0; i < MAX_QUERIES; i++) {
            // the idle bound is for the whole message, not each read: a guest trickling bytes cannot hold a slot
            long deadline = System.nanoTime() + IDLE_MILLIS * 1_000_000L;
            byte[] len = readFully(s, in, 2, deadline);
            if (len == null) return;
            byte[] query = readFully(s, in, (len[0] & 255) << 8 | len[1] & 255, deadline);
            if (query == null) throw new EOFException("connection closed mid-message");
            byte[] answer = handler.handle(query, s.getInetAddress(), false);
            if (answer == null || answer.length == 0) return;
            out.writeShort(answer.length);
            out.write(answer);
            out.flush();
        }
    }

    /** {@code n} bytes; null when the stream ends cleanly where a length prefix would start (the client is done), or before a message. */
    private static byte[] readFully(Socket s, InputStream in, int n, long deadline) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            long ms = (deadline - System.nanoTime()) / 1_000_000;
            if (ms < 1) throw new SocketTimeoutException("idle for " + IDLE_MILLIS + " ms");
            s.setSoTimeout((int) ms);
            int r = in.read(b, got, n - got);
            if (r < 0) {
                if (got == 0) return null;
                throw new EOFException("connection closed mid-message");
            }
            got += r;
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        for (Socket s : open) closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }
}
