package io.ember.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * An upgraded connection (WebSocket or any protocol after a 101): bytes both ways until both sides
 * have ended, each end passed on as a half-close. Bytes from the client count as activity.
 */
final class Pipe implements Runnable {
    private final InputStream clientIn;
    private final OutputStream clientOut;
    private final Socket client;
    private final Upstream upstream;
    private final Runnable onInbound;

    Pipe(InputStream clientIn, OutputStream clientOut, Socket client, Upstream upstream, Runnable onInbound) {
        this.clientIn = clientIn;
        this.clientOut = clientOut;
        this.client = client;
        this.upstream = upstream;
        this.onInbound = onInbound;
    }

    @Override
    public void run() {
        Thread inbound = Thread.ofVirtual().name("endpoint-pipe").start(() -> {
            try {
                Bodies.copyToEnd(clientIn, upstream.out, onInbound);
                upstream.out.close(); // half-close: the application reads its end of stream
            } catch (IOException e) {
                upstream.close();
                closeQuietly();
            }
        });
        try {
            client.setSoTimeout(0); // a WebSocket may be quiet for long: the idle policy decides, not a read timeout
            Bodies.copyToEnd(upstream.in, clientOut, () -> { });
            try {
                client.shutdownOutput();
            } catch (UnsupportedOperationException e) { // TLS cannot half-close
                closeQuietly();
            }
            inbound.join();
        } catch (IOException e) {
            closeQuietly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            upstream.close();
            closeQuietly();
            try {
                inbound.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeQuietly() {
        try {
            client.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
