package io.ember.dns;

import org.xbill.DNS.Message;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A UDP upstream on 127.0.0.1 whose answers a test writes: it records every query it receives and sends back what
 * {@code script} returns for it (nothing when that is empty), so a test can see exactly what the resolver forwards and
 * feed it answers dnsmasq would not give (an SOA, an EDNS option, a wrong id, SERVFAIL, silence).
 */
final class ScriptedUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    final List<Message> received = new CopyOnWriteArrayList<>();

    ScriptedUpstream(Function<Message, List<Message>> script) throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[65535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                    received.add(q);
                    for (Message a : script.apply(q)) {
                        byte[] w = a.toWire();
                        socket.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed, or a datagram that does not parse: the resolver never sends one
                }
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
