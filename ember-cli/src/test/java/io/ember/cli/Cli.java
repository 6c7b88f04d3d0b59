package io.ember.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs {@link Main} in-process and keeps what it printed. The environment always holds the stub's keys
 * ({@link io.ember.sdk.Stub#ENV}, which the stub checks every signature against) unless the test's own
 * environment sets them; {@link #runWithEnvOnly} leaves them out.
 */
final class Cli {
    final int exit;
    final String out;
    final String err;
    final byte[] outBytes;

    private Cli(int exit, byte[] out, String err) {
        this.exit = exit;
        this.outBytes = out;
        this.out = new String(out, StandardCharsets.UTF_8);
        this.err = err;
    }

    static Cli run(String... args) {
        return run(new ByteArrayInputStream(new byte[0]), Map.of(), args);
    }

    /** With exactly this environment: no stub keys added (to test how the CLI finds its keys). */
    static Cli runWithEnvOnly(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Cli(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Cli run(InputStream in, Map<String, String> env, String... args) {
        return run(in, new ByteArrayOutputStream(), env, args);
    }

    static Cli run(InputStream in, OutputStream outSink, Map<String, String> env, String... args) {
        return run(in, outSink, OutputStream.nullOutputStream(), env, args);
    }

    /** Also copies stdout and stderr, as they are written, to the sinks (a test can watch progress live). */
    static Cli run(InputStream in, OutputStream outSink, OutputStream errSink, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> withKeys = new HashMap<>(io.ember.sdk.Stub.ENV);
        withKeys.putAll(env);
        int exit = Main.run(args, in, new PrintStream(tee(out, outSink), true, StandardCharsets.UTF_8),
                new PrintStream(tee(err, errSink), true, StandardCharsets.UTF_8), withKeys);
        return new Cli(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private static OutputStream tee(ByteArrayOutputStream kept, OutputStream sink) {
        return new OutputStream() {
            @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) {
                kept.write(b, off, len);
                try {
                    sink.write(b, off, len);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
    }
}
