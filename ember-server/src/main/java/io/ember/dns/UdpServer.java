package io.ember.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.Semaphore;

/**
 * Receives queries on one UDP socket and answers each on its own virtual thread (an upstream wait or a blocking pin
 * holds up nobody else). At most {@link #IN_FLIGHT} queries are handled at once; datagrams beyond that are dropped,
 * and the guest's stub resolver retries.
 */
final class UdpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpServer.class);
    static final int IN_FLIGHT = 1024;

    private final DatagramChannel channel;
    private final QueryHandler handler;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final Thread receiver;

    UdpServer(InetSocketAddress bind, QueryHandler handler) throws IOException {
        this.channel = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.bind(bind);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.handler = handler;
        this.receiver = Thread.ofVirtual().name("dns-udp").start(this::receive);
    }

    int port() {
        return channel.socket().getLocalPort();
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.debug("DNS UDP receive failed: {}", e.toString());
                continue;
            }
            if (!(from instanceof InetSocketAddress source) || !inFlight.tryAcquire()) continue;
            byte[] query = new byte[buf.flip().remaining()];
            buf.get(query);
            Thread.ofVirtual().name("dns-udp-query").start(() -> {
                try {
                    byte[] answer = handler.handle(query, source.getAddress(), true);
                    if (answer != null && answer.length > 0) channel.send(ByteBuffer.wrap(answer), source);
                } catch (IOException | RuntimeException e) {
                    if (channel.isOpen()) log.debug("DNS UDP answer to {} failed: {}", source, e.toString());
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        receiver.interrupt();
    }
}
