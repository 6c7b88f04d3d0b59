package io.ember.agent;

/** What a running process produced. */
public sealed interface ExecEvent {

    record Started(long pid) implements ExecEvent {}

    record Stdout(byte[] data) implements ExecEvent {}

    record Stderr(byte[] data) implements ExecEvent {}

    /** @param exitCode exit status, or -1 when killed by a signal */
    record Exit(int exitCode, int signal, boolean timedOut) implements ExecEvent {}
}
