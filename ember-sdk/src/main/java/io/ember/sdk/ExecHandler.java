package io.ember.sdk;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Callbacks for {@link EmberClient#exec(String, ExecRequest, ExecHandler)}, called on the caller's thread. */
public interface ExecHandler {

    default void onStarted(int pid) {}

    default void onStdout(byte[] data) {}

    default void onStderr(byte[] data) {}

    /** Writes each chunk to {@code out} / {@code err} and flushes, so output shows as it arrives. */
    static ExecHandler forwardingTo(OutputStream out, OutputStream err) {
        return new ExecHandler() {
            @Override public void onStdout(byte[] data) { write(out, data); }
            @Override public void onStderr(byte[] data) { write(err, data); }

            private static void write(OutputStream to, byte[] data) {
                try {
                    to.write(data);
                    to.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
