package io.ember.testing;

import io.ember.agent.GuestSocket;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A {@link GuestSocket} that is a plain loopback TCP connection: the fake guest's "127.0.0.1:port" is a host port. */
final class LoopbackSocket implements GuestSocket {
    private final Socket socket;
    private final OutputStream output;

    LoopbackSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.output = new FilterOutputStream(socket.getOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                socket.shutdownOutput();
            }
        };
    }

    @Override
    public InputStream input() {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
