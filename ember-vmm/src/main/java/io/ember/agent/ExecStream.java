package io.ember.agent;

import java.time.Duration;

/** One running process. Pull its events in order; the last is {@link ExecEvent.Exit}. */
public interface ExecStream extends AutoCloseable {

    /** Next event, waiting at most {@code timeout}; null when none arrived in time. */
    ExecEvent next(Duration timeout) throws AgentException, InterruptedException;

    /** Writes to the process's stdin (request must have had stdin=true); blocks while the guest's window is full. */
    void writeStdin(byte[] data, int off, int len) throws AgentException, InterruptedException;

    /** Ends stdin; on a terminal it sends end-of-input (^D, as a user types it) and stdin stays writable. */
    void closeStdin() throws AgentException;

    void signal(int signo) throws AgentException;

    /**
     * Sets the size of the process's terminal (the foreground program gets SIGWINCH). Ignored by the guest when the
     * exec has no terminal, and after the process ended.
     *
     * @throws IllegalArgumentException for a size outside {@link Terminal}'s bounds
     */
    default void resize(int rows, int cols) throws AgentException {
        throw new AgentException(0, "resize is not supported by this exec stream");
    }

    /** Abandons the stream; the process is killed if still running. */
    @Override
    void close();
}
