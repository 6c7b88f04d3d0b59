package io.ember.sdk;

import java.nio.charset.StandardCharsets;

/**
 * The whole outcome of {@link EmberClient#execAndWait}: output (each stream kept up to the byte cap;
 * {@code truncated} says some was dropped) and how the process ended (see {@link ExecEvent.Exit}).
 */
public record ExecResult(byte[] stdout, byte[] stderr, int exitCode, int signal, boolean timedOut, boolean truncated) {

    public String stdoutText() { return new String(stdout, StandardCharsets.UTF_8); }

    public String stderrText() { return new String(stderr, StandardCharsets.UTF_8); }

    /** 124 on timeout, 128+signal when killed, else the exit code. */
    public int shellStatus() { return new ExecEvent.Exit(exitCode, signal, timedOut).shellStatus(); }
}
