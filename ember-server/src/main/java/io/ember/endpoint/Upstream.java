package io.ember.endpoint;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A connection to the application's port inside one microVM, carried over its agent channel. A client
 * connection keeps one open across its keep-alive requests while they go to the same microVM, port and
 * agent channel (a suspend and resume gives the microVM a new channel, and the old connection is gone).
 */
final class Upstream implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int BUFFER = 64 * 1024;

    final String microvmId;
    final int port;
    final GuestAgent agent;
    private final GuestSocket socket;
    final InputStream in;
    final OutputStream out;
    /** Whether it carried an exchange already: a reused connection the application closed meanwhile is retried once. */
    boolean reused;

    private Upstream(String microvmId, int port, GuestAgent agent, GuestSocket socket) {
        this.microvmId = microvmId;
        this.port = port;
        this.agent = agent;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.input(), BUFFER);
        this.out = new BufferedOutputStream(socket.output(), BUFFER);
    }

    static Upstream open(String microvmId, int port, GuestAgent agent) throws AgentException {
        return new Upstream(microvmId, port, agent, agent.connectTcp(port, CONNECT_TIMEOUT));
    }

    /** A connection to a service of the host itself (the API's shell route), shaped as the relay's other ends are. */
    static Upstream loopback(java.net.Socket s) throws java.io.IOException {
        InputStream in = s.getInputStream();
        OutputStream rawOut = s.getOutputStream();
        OutputStream out = new java.io.FilterOutputStream(rawOut) {
            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                rawOut.write(b, off, len);
            }

            @Override
            public void close() throws java.io.IOException { // as a guest socket's: a half-close
                flush();
                s.shutdownOutput();
            }
        };
        return new Upstream(null, 0, null, new GuestSocket() {
            @Override public InputStream input() { return in; }
            @Override public OutputStream output() { return out; }
            @Override public void close() {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing anyway
                }
            }
        });
    }

    boolean serves(String id, int p, GuestAgent a) {
        return microvmId.equals(id) && port == p && agent == a;
    }

    @Override
    public void close() {
        socket.close();
    }
}
