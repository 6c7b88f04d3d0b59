package io.ember.sdk;

/** How a shell's process ended: {@code exitCode} is -1 when a signal ended it ({@code signal} says which). */
public record ShellExit(int exitCode, int signal) {
    /** As a shell reports it: 128+signal, else the exit code. */
    public int shellStatus() {
        return signal > 0 ? 128 + signal : exitCode;
    }
}
