package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A guest that breaks the rules of a CONNECT stream fails the channel, as for exec. */
class AgentClientTcpHostileTest {
    @TempDir
    Path dir;
    FakeGuest guest;

    @BeforeEach
    void start() throws Exception {
        guest = new FakeGuest(dir, FakeGuest.quick());
    }

    @AfterEach
    void stop() throws Exception {
        guest.close();
    }

    /** connectTcp from a background thread, answered OK by the fake guest; returns the socket and its stream id. */
    private record Open(GuestSocket socket, int stream) {}

    private Open open() throws Exception {
        CompletableFuture<GuestSocket> f = CompletableFuture.supplyAsync(() -> {
            try {
                return guest.client.connectTcp(8080, Duration.ofSeconds(2));
            } catch (AgentException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Frame req = guest.read();
        assertThat(req.type()).isEqualTo(Proto.CONNECT);
        Fields fields = Fields.parse(req.payload());
        assertThat(fields.integer(Proto.PORT)).isEqualTo(8080);
        assertThat(fields.integer(Proto.TIMEOUT_MS)).isEqualTo(2000);
        guest.send(req.stream(), Proto.OK, new byte[0]);
        return new Open(f.get(5, TimeUnit.SECONDS), req.stream());
    }

    private String awaitFailure() throws Exception {
        return guest.client.failure().get(15, TimeUnit.SECONDS);
    }

    @Test
    void dataBeyondTheWindow_isAViolation() throws Exception {
        Open o = open();
        for (int i = 0; i < Proto.WINDOW / Proto.MAX_CHUNK + 1; i++)
            guest.send(o.stream(), Proto.TCP_DATA, new byte[Proto.MAX_CHUNK]);
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("exceeds the window");
    }

    @Test
    void dataAfterItsEnd_isAViolation() throws Exception {
        Open o = open();
        guest.send(o.stream(), Proto.TCP_DATA, new byte[0]);
        guest.send(o.stream(), Proto.TCP_DATA, new byte[] {1});
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("unexpected TCP_DATA");
    }

    @Test
    void finalOkBeforeTheGuestsEnd_isAViolation() throws Exception {
        Open o = open();
        guest.send(o.stream(), Proto.OK, new byte[0]);
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("unexpected OK");
    }

    @Test
    void finalOkBeforeTheHostsEnd_isAViolation() throws Exception {
        Open o = open();
        guest.send(o.stream(), Proto.TCP_DATA, new byte[0]);
        guest.send(o.stream(), Proto.OK, new byte[0]);
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("unexpected OK");
    }

    @Test
    void framesAfterTheFinalOk_areAViolation() throws Exception {
        Open o = open();
        o.socket().output().close();
        assertThat(guest.read().length()).isZero(); // the host's end
        guest.send(o.stream(), Proto.TCP_DATA, new byte[0]);
        guest.send(o.stream(), Proto.OK, new byte[0]);
        guest.send(o.stream(), Proto.TCP_DATA, new byte[] {1});
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("not open");
    }

    @Test
    void oversizedChunk_isAViolation() throws Exception {
        Open o = open();
        byte[] header = new byte[Proto.HEADER];
        FrameCodec.putInt(header, 0, Proto.MAX_CHUNK + 1);
        FrameCodec.putInt(header, 4, o.stream());
        header[8] = (byte) Proto.TCP_DATA;
        guest.raw(header);
        try {
            guest.raw(new byte[Proto.MAX_CHUNK + 1]);
        } catch (IOException hungUp) {
            // the host may judge the frame by its header and hang up before the payload is all written
        }
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("above MAX_CHUNK");
        assertThatThrownBy(() -> o.socket().input().read()).isInstanceOf(IOException.class)
                .cause().isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.channelBroken()).isTrue());
    }

    @Test
    void guestSocketError_failsTheReaderNotTheChannel() throws Exception {
        Open o = open();
        guest.send(o.stream(), Proto.TCP_DATA, new byte[] {'h', 'i'});
        guest.send(o.stream(), Proto.ERROR, Fields.builder().integer(Proto.ERRNO, 104).string(Proto.MESSAGE, "recv: reset"));
        byte[] buf = new byte[10];
        assertThat(o.socket().input().read(buf)).isEqualTo(2);
        assertThatThrownBy(() -> o.socket().input().read(buf)).isInstanceOf(IOException.class).hasMessageContaining("reset")
                .cause().isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(104));
        assertThatThrownBy(() -> o.socket().output().write(1)).isInstanceOf(IOException.class);
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void writesWaitForTheGuestsCredit() throws Exception {
        Open o = open();
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                o.socket().output().write(new byte[Proto.WINDOW + 10]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long sent = 0;
        while (sent < Proto.WINDOW) {
            Frame f = guest.read();
            assertThat(f.type()).isEqualTo(Proto.TCP_DATA);
            sent += f.length();
        }
        assertThat(guest.poll(300)).as("data beyond the guest's window").isNull();
        assertThat(w).isNotDone();
        guest.send(o.stream(), Proto.WINDOW_T, Fields.builder().integer(Proto.N, 10));
        assertThat(guest.read().length()).isEqualTo(10);
        w.get(5, TimeUnit.SECONDS);
    }

    @Test
    void anAgentWithoutTheFeature_getsNoConnect() throws Exception {
        CompletableFuture<AgentInfo> hello = CompletableFuture.supplyAsync(() -> {
            try {
                return guest.client.hello(Duration.ofSeconds(5));
            } catch (AgentException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.FEATURES, "user,spawn,restored,net"));
        hello.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> guest.client.connectTcp(80, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(AgentClient.ENOSYS));
        assertThat(guest.poll(200)).isNull();
    }

    @Test
    void anAgentWithoutRestoredNet_isNotSentANetworkChange() throws Exception {
        CompletableFuture<AgentInfo> hello = CompletableFuture.supplyAsync(() -> {
            try {
                return guest.client.hello(Duration.ofSeconds(5));
            } catch (AgentException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 2).string(Proto.FEATURES, "user,spawn,restored,net,tcp"));
        hello.get(5, TimeUnit.SECONDS);
        GuestNet net = new GuestNet("198.51.100.2", 30, "198.51.100.1", "169.254.169.253", "02:eb:00:00:00:01");
        assertThatThrownBy(() -> guest.client.restored(new RestoreFixup(java.time.Instant.now(), new byte[32], null, true, net),
                Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(AgentClient.ENOSYS));
        assertThat(guest.poll(200)).as("nothing sent: an old agent would ignore NET and answer OK").isNull();
    }
}
