package io.ember.agent;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A TCP connection to a port on the guest's loopback, carried over the agent channel (CONNECT).
 * Reads block until data, end of stream or a failure; writes block while the guest's window is
 * full. Errors (the guest's socket error, a broken channel) come as IOExceptions whose cause is
 * the {@link AgentException}.
 */
public interface GuestSocket extends AutoCloseable {

    /** What the guest's application sends; -1 once it closed its side. */
    InputStream input();

    /** To the guest's application; {@code close()} half-closes (the application reads end of stream). */
    OutputStream output();

    /** Abandons the connection if it has not ended (the guest closes its socket). Idempotent. */
    @Override
    void close();
}
