package io.ember.sdk;

/**
 * How to open a shell: the terminal's size and, optionally, a command line for {@code /bin/sh -c} instead of the
 * guest's login shell ({@code /bin/bash -l}, else {@code /bin/sh -l}).
 */
public record ShellOptions(int rows, int cols, String command) {
    public ShellOptions {
        if (rows < 1 || rows > 1000 || cols < 1 || cols > 1000) {
            throw new IllegalArgumentException("a terminal is 1 to 1000 rows and columns, not " + rows + "x" + cols);
        }
        if (command != null && command.isBlank()) throw new IllegalArgumentException("command is blank");
    }

    public static ShellOptions of(int rows, int cols) {
        return new ShellOptions(rows, cols, null);
    }

    public ShellOptions withCommand(String command) {
        return new ShellOptions(rows, cols, command);
    }
}
