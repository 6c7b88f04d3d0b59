package io.ember.agent;

/**
 * The size of a pseudo-terminal: an exec that has one runs with the terminal as its stdin, stdout and
 * stderr (one output stream, as a user's terminal shows it) and can be resized.
 */
public record Terminal(int rows, int cols) {
    /** The agent's bound on either dimension. */
    public static final int MAX = 1000;

    public Terminal {
        if (rows < 1 || rows > MAX || cols < 1 || cols > MAX) {
            throw new IllegalArgumentException("a terminal is 1 to " + MAX + " rows and columns, not " + rows + "x" + cols);
        }
    }
}
