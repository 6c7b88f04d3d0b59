package io.ember.vmm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the guest serial console (a QEMU socket chardev) into a {@link ConsoleLog}. While no
 * reader is connected QEMU drops console output, so a server that is down costs nothing; a new
 * server attaches again to the same socket.
 */
final class ConsoleReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleReader.class);

    private final SocketChannel socket;
    private final ConsoleLog sink;
    private final String vmId;
    /** Completed when the pump has written everything QEMU sent (EOF) or stopped. */
    private final java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();

    private ConsoleReader(SocketChannel socket, ConsoleLog sink, String vmId) {
        this.socket = socket;
        this.sink = sink;
        this.vmId = vmId;
        Thread.ofVirtual().name("console " + vmId).start(this::pump);
    }

    static ConsoleReader attach(Path consoleSocket, Path logFile, String vmId) throws IOException {
        SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.connect(UnixDomainSocketAddress.of(consoleSocket));
            return new ConsoleReader(s, new ConsoleLog(logFile, ConsoleLog.DEFAULT_PER_FILE), vmId);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void pump() {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        try (sink) {
            while (socket.read(buf.clear()) >= 0) sink.write(buf.array(), 0, buf.position());
        } catch (IOException e) {
            if (socket.isOpen()) log.warn("{}: console reader stopped: {}", vmId, e.toString());
        } finally {
            close();
            drained.complete(null);
        }
    }

    /**
     * Waits (bounded) until the console's last bytes are in the log: QEMU has exited, and what it wrote last (a panic
     * message) may still be in the socket's buffer.
     */
    void awaitDrained(java.time.Duration timeout) {
        try {
            drained.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a console that does not end: its log is what it is
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed is closed
        }
    }
}
