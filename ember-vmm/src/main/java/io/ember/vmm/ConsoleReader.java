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
            PeerCheck.verify(s, consoleSocket);
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
