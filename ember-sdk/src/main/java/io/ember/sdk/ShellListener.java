package io.ember.sdk;

/**
 * Receives a shell's terminal output, in order, on the WebSocket's thread; the next chunk is not read before this
 * returns, so a slow listener slows the remote program down instead of piling output up.
 */
@FunctionalInterface
public interface ShellListener {
    void onOutput(byte[] data);
}
