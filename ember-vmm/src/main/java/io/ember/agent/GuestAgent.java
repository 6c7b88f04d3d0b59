package io.ember.agent;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The host side of one guest's agent channel (see docs/agent-protocol.md). Thread-safe: many
 * execs and file transfers run at once over the one channel. Every call has a deadline; a guest
 * that breaks the protocol or stops answering completes {@link #failure()} and fails every call.
 */
public interface GuestAgent extends AutoCloseable {

    /** HELLO round trip. */
    AgentInfo hello(Duration timeout) throws AgentException;

    /** Starts a process. Output is pulled from the returned stream, which is what gives back-pressure. */
    ExecStream exec(ExecRequest request) throws AgentException;

    /** Streams {@code data} into {@code path} (atomically renamed into place when complete). */
    void writeFile(String path, int mode, InputStream data) throws AgentException;

    /** Streams the file at {@code path} into {@code out}; returns its size. */
    long readFile(String path, OutputStream out) throws AgentException;

    FileStat stat(String path) throws AgentException;

    List<FileStat> list(String path) throws AgentException;

    void mkdir(String path, boolean parents) throws AgentException;

    void remove(String path, boolean recursive) throws AgentException;

    /**
     * Call right after connecting to a guest restored from a snapshot, before it runs: until it has
     * answered {@link #restored}, frames of streams it had with the host before the snapshot are
     * dropped instead of being protocol violations (the guest ends those streams when told RESTORED).
     */
    default void expectRestored() {}

    /**
     * Starts a process that outlives this call and the channel: its own session, stdin from /dev/null, stdout and
     * stderr appended to {@code logPath} in the guest (created 0600 if missing; null = /dev/null). {@code request}'s
     * timeout and stdin must be unset. Answers once the process runs.
     *
     * @return the process id in the guest
     */
    default int spawn(ExecRequest request, String logPath) throws AgentException {
        throw new AgentException(0, "spawn is not supported by this agent client");
    }

    /** After a snapshot restore: set the guest's clock, reseed its RNG, and apply the new identity (RESTORED). */
    default void restored(RestoreFixup fixup, java.time.Duration timeout) throws AgentException {
        throw new AgentException(0, "restored is not supported by this agent client");
    }

    /**
     * Opens a TCP connection to {@code 127.0.0.1:port} inside the guest, carried over the agent channel (CONNECT):
     * the guest needs no network device. Fails with the guest's errno (ECONNREFUSED = 111, ETIMEDOUT = 110, EMFILE
     * = 24 when the agent has too many connections) when the connection cannot be made within {@code connectTimeout}
     * (1 ms to 60 s).
     */
    default GuestSocket connectTcp(int port, Duration connectTimeout) throws AgentException {
        throw new AgentException(0, "connectTcp is not supported by this agent client");
    }

    /**
     * Answers the guest's metadata endpoint with {@code service} (METADATA, docs/agent-protocol.md) for as long as this
     * channel lives: from the first moment the agent is known to have the feature and is not awaiting RESTORED, and again
     * after each RESTORED. An agent without the feature serves no endpoint. Default: nothing is served.
     */
    default void serveMetadata(MetadataService service) {}

    /** Completes (with the reason) when the channel is broken: protocol violation, EOF, or a missed deadline. */
    CompletableFuture<String> failure();

    @Override
    void close();
}
