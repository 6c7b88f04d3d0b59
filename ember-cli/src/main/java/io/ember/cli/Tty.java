package io.ember.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The user's terminal, through {@code stty} on {@code /dev/tty} (Java has no termios): whether stdin is one, its
 * size, and raw mode, put back as it was by {@link #close}, also from a shutdown hook (SIGTERM, Ctrl-C elsewhere).
 */
final class Tty implements AutoCloseable {
    private final String saved;
    private final Thread restoreOnExit;
    private boolean restored;

    private Tty(String saved) {
        this.saved = saved;
        this.restoreOnExit = new Thread(this::restore, "ember-tty-restore");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /** True when this process's stdin is a terminal. */
    static boolean stdinIsTerminal() {
        return sh("test -t 0 && test -r /dev/tty") != null;
    }

    /** {rows, cols} of the terminal, or null when it cannot be read. */
    static int[] size() {
        String out = sh("stty size < /dev/tty");
        if (out == null) return null;
        String[] parts = out.trim().split("\\s+");
        try {
            int rows = Integer.parseInt(parts[0]), cols = Integer.parseInt(parts[1]);
            return rows > 0 && cols > 0 ? new int[] {Math.min(rows, 1000), Math.min(cols, 1000)} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Raw mode, no echo: every key goes to the remote terminal, which echoes and interprets (Ctrl-C included). */
    static Tty raw() {
        String saved = sh("stty -g < /dev/tty");
        if (saved == null || !saved.trim().matches("[0-9a-fA-F:]+") || sh("stty raw -echo < /dev/tty") == null) {
            throw new IllegalStateException("cannot put the terminal in raw mode (stty)");
        }
        return new Tty(saved.trim());
    }

    private synchronized void restore() {
        if (restored) return;
        restored = true;
        sh("stty " + saved + " < /dev/tty"); // checked: only [0-9a-f:]
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Runs {@code script} with this process's stdin; its stdout, or null when it failed. */
    private static String sh(String script) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
