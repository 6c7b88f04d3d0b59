package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of what a hostile guest reaches first: the bytes it writes on the agent channel, read by a
 * real {@link AgentChannel} (frame decoder, dispatch to streams, each stream's checks in {@link Slot}) over a real
 * Unix socket. One stream of every kind is open (ids 1..9, in {@link Slot.Kind} order) and a HELLO is outstanding,
 * so the guest's bytes can reach every check. The corpus (GuestFramesFuzzTestInputs) holds valid conversations.
 *
 * <p>Properties: the channel ends only with a protocol violation or the guest's end of stream, never with an
 * unexpected exception, and its reason is bounded and printable whatever the guest sent; and when the guest's bytes
 * were all accepted, what the host holds for a stream its owner did not read is bounded (data by the window, control
 * frames by the stream's grammar).
 */
class GuestFramesFuzzTest {
    private static final AgentLimits LIMITS = new AgentLimits(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), 64);
    /** Slot's cap on queued frames (16,384) and the few control frames a stream's grammar allows besides. */
    private static final int MAX_FRAMES_QUEUED = 16_384 + 4;
    private static Path dir;
    /** Inputs the channel accepted whole (the harness's own check: the memory property is reached). */
    private static int accepted;
    private static ServerSocketChannel server;

    @BeforeAll
    static void listen() throws IOException {
        // one failed channel per input: its warning would be most of the run's time and output
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AgentChannel.class)).setLevel(Level.OFF);
        dir = Files.createTempDirectory("ember-fuzz-agent");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("agent.sock"));
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void guestFrames(byte[] guestBytes) throws Exception {
        SocketChannel host = SocketChannel.open(StandardProtocolFamily.UNIX);
        host.connect(server.getLocalAddress());
        try (SocketChannel guest = server.accept()) {
            AgentChannel channel = new AgentChannel(host, LIMITS, "fuzz");
            List<Slot> slots = new ArrayList<>();
            for (Slot.Kind k : Slot.Kind.values()) slots.add(channel.open(k));
            slots.get(Slot.Kind.TCP.ordinal()).hostEnded(); // lets the guest end the TCP stream with its second OK
            // An input made of whole frames is followed by a HELLO_OK carrying a fresh nonce: when the outstanding
            // HELLO is answered with it, the reader has accepted every byte of the input and now waits for more, so
            // the streams hold all that the input left them. Any other input ends with the guest's end of stream.
            String nonce = UUID.randomUUID().toString();
            CompletableFuture<Fields> hello = channel.hello();
            try {
                write(guest, guestBytes);
                if (wholeFrames(guestBytes)) {
                    write(guest, FrameCodec.encode(0, Proto.HELLO_OK,
                            Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.AGENT, nonce).build()));
                } else {
                    guest.shutdownOutput();
                }
            } catch (IOException hungUp) {
                // the host closed the channel on a violation before it read everything: checked below
            }
            CompletableFuture.anyOf(hello.exceptionally(e -> null), channel.failure()).get(30, TimeUnit.SECONDS);
            if (hello.isDone() && !hello.isCompletedExceptionally() && nonce.equals(hello.get().string(Proto.AGENT, ""))) {
                for (Slot s : slots) assertBounded(s);
                accepted++;
            } else {
                String reason = channel.failure().get(30, TimeUnit.SECONDS);
                // the reason is the VM's failure reason (API, records, logs): the guest must not write it
                assertThat(reason).matches("(?s)agent protocol violation: .*|agent channel closed by the guest .*")
                        .hasSizeLessThan(1100).doesNotContainPattern("\\p{Cntrl}");
            }
            channel.close();
        }
    }

    @Test
    void harnessSeesAValidConversationAcceptedWhole() throws Exception {
        int before = accepted;
        guestFrames(seed("all"));
        assertThat(accepted).isEqualTo(before + 1);
        guestFrames(seed("hello")); // a second HELLO_OK: refused, as nothing asked for it
        assertThat(accepted).isEqualTo(before + 1);
    }

    private static byte[] seed(String name) throws IOException {
        try (var in = GuestFramesFuzzTest.class.getResourceAsStream("GuestFramesFuzzTestInputs/guestFrames/" + name)) {
            return in.readAllBytes();
        }
    }

    /** What the owner of a stream that read nothing would find queued: at most a window of data, few frames. */
    private static void assertBounded(Slot s) throws Exception {
        long data = 0;
        int frames = 0;
        for (Slot.Msg m; (m = s.take(System.nanoTime())) != null; frames++) {
            if (m.data() != null) data += m.data().length;
        }
        assertThat(data).as("data queued on %s", s.kind).isLessThanOrEqualTo(Proto.WINDOW);
        assertThat(frames).as("frames queued on %s", s.kind).isLessThanOrEqualTo(MAX_FRAMES_QUEUED);
        assertThat(s.entries().size()).isLessThanOrEqualTo(LIMITS.maxListEntries());
    }

    /** Whether the frames' lengths walk to exactly the end of {@code b} (a header the host refuses stops the walk). */
    private static boolean wholeFrames(byte[] b) {
        long at = 0;
        while (at + Proto.HEADER <= b.length) {
            long length = FrameCodec.getInt(b, (int) at) & 0xFFFF_FFFFL;
            if (length > Proto.MAX_FRAME) return true; // refused at its header: the channel fails there
            at += Proto.HEADER + length;
        }
        return at == b.length;
    }

    private static void write(SocketChannel to, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) to.write(b);
    }
}
