package io.ember.sdk;

/** One line of an exec stream, in the order the guest produced them; {@link Exit} is always last. */
public sealed interface ExecEvent {

    /** The process started in the guest. */
    record Started(int pid) implements ExecEvent {}

    /** A chunk of standard output (decoded bytes, not necessarily whole lines). */
    record Stdout(byte[] data) implements ExecEvent {}

    /** A chunk of standard error. */
    record Stderr(byte[] data) implements ExecEvent {}

    /**
     * The process ended. {@code exitCode} is -1 when a signal ended it ({@code signal} says which);
     * {@code timedOut} means the server killed it at {@code timeoutSeconds}.
     */
    record Exit(int exitCode, int signal, boolean timedOut) implements ExecEvent {
        /** As a shell reports it: 124 on timeout (like coreutils timeout), 128+signal, else the exit code. */
        public int shellStatus() {
            if (timedOut) return 124;
            if (signal > 0) return 128 + signal;
            return exitCode;
        }
    }
}
