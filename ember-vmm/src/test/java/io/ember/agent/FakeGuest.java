package io.ember.agent;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The guest end of an agent channel, scripted by a test: it may break every rule. */
final class FakeGuest implements AutoCloseable {
    final AgentClient client;
    private final SocketChannel conn;
    private final DataInputStream in;
    private final ServerSocketChannel server;
    private final Path sock;
    private final BlockingQueue<Frame> fromHost = new LinkedBlockingQueue<>();

    FakeGuest(Path dir, AgentLimits limits) throws IOException {
        sock = dir.resolve("fake.sock");
        Files.deleteIfExists(sock);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        SocketChannel host = SocketChannel.open(StandardProtocolFamily.UNIX);
        host.connect(UnixDomainSocketAddress.of(sock));
        conn = server.accept();
        in = new DataInputStream(Channels.newInputStream(conn));
        client = AgentClient.over(host, limits, "fake");
        Thread.ofPlatform().daemon().name("fake-guest").start(this::readLoop);
    }

    static AgentLimits quick() {
        return new AgentLimits(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2),
                java.time.Duration.ofSeconds(2), 1000);
    }

    /** The next frame the host sent (fails the test after 5 s). */
    Frame read() throws Exception {
        Frame f = poll(5000);
        if (f == null) throw new AssertionError("the host sent nothing within 5 s");
        return f;
    }

    /** The next frame the host sent, or null if none came within {@code ms}. */
    Frame poll(long ms) throws InterruptedException {
        return fromHost.poll(ms, TimeUnit.MILLISECONDS);
    }

    private void readLoop() {
        try {
            while (true) {
                int len = in.readInt();
                int stream = in.readInt();
                int type = in.readUnsignedByte();
                in.skipNBytes(3);
                fromHost.add(new Frame(stream, type, in.readNBytes(len)));
            }
        } catch (IOException closed) {
            // the test is over or the host hung up
        }
    }

    void send(int stream, int type, byte[] payload) throws IOException {
        raw(FrameCodec.encode(stream, type, payload));
    }

    void send(int stream, int type, Fields.Builder fields) throws IOException {
        send(stream, type, fields.build());
    }

    void raw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) conn.write(b);
    }

    void hangUp() throws IOException {
        conn.close();
    }

    @Override
    public void close() throws IOException {
        client.close();
        conn.close();
        server.close();
        Files.deleteIfExists(sock);
    }
}
