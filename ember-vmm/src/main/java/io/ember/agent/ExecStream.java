package io.ember.agent;

import java.time.Duration;

/** One running process. Pull its events in order; the last is {@link ExecEvent.Exit}. */
public interface ExecStream extends AutoCloseable {

    /** Next event, waiting at most {@code timeout}; null when none arrived in time. */
    ExecEvent next(Duration timeout) throws AgentException, InterruptedException;

    /** Writes to the process's stdin (request must have had stdin=true); blocks while the guest's window is full. */
    void writeStdin(byte[] data, int off, int len) throws AgentException, InterruptedException;

    void closeStdin() throws AgentException;

    void signal(int signo) throws AgentException;

    /** Abandons the stream; the process is killed if still running. */
    @Override
    void close();
}
