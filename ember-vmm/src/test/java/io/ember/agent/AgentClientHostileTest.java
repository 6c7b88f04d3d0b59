package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A guest that breaks the rules must fail the channel quickly, with a reason, and fail every call. */
class AgentClientHostileTest {
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

    private String awaitFailure() throws Exception {
        return guest.client.failure().get(15, TimeUnit.SECONDS);
    }

    private void assertBroken() {
        assertThatThrownBy(() -> guest.client.stat("/x")).isInstanceOfSatisfying(AgentException.class,
                e -> assertThat(e.channelBroken()).isTrue());
    }

    private static <T> Future<T> async(Call<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.run();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    interface Call<T> {
        T run() throws Exception;
    }

    private static void assertFailsBroken(Future<?> f) {
        assertThatThrownBy(() -> f.get(15, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(AgentException.class,
                e -> assertThat(e.channelBroken()).isTrue());
    }

    /** Starts an exec from a background thread and answers STARTED; returns the stream and its id. */
    private ExecStream started() throws Exception {
        Future<ExecStream> exec = async(() -> guest.client.exec(
                new ExecRequest(List.of("true"), null, null, Duration.ofMillis(300), false)));
        Frame req = guest.read();
        assertThat(req.type()).isEqualTo(Proto.EXEC);
        guest.send(req.stream(), Proto.STARTED, Fields.builder().integer(Proto.PID, 77));
        return exec.get(15, TimeUnit.SECONDS);
    }

    @Test
    void textInsteadOfFrames_isAViolation() throws Exception {
        guest.raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(awaitFailure()).startsWith("agent protocol violation").contains("above MAX_FRAME");
        assertBroken();
    }

    @Test
    void unknownType_isAViolation() throws Exception {
        guest.raw(FrameCodecTest.header(0, 1, 0x42));
        assertThat(awaitFailure()).contains("unknown frame type 0x42");
    }

    @Test
    void hugeLength_failsPendingCallsAtOnceWithoutWaitingForThePayload() throws Exception {
        Future<FileStat> pending = async(() -> guest.client.stat("/etc"));
        assertThat(guest.read().type()).isEqualTo(Proto.STAT);
        long t0 = System.nanoTime();
        guest.raw(FrameCodecTest.header(0x4000_0000L, 1, Proto.STAT_RESULT)); // claims 1 GiB, sends none of it
        assertThat(awaitFailure()).contains("1073741824 above MAX_FRAME");
        assertFailsBroken(pending);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertBroken();
    }

    @Test
    void silence_missesTheHelloDeadline() throws Exception {
        assertThatThrownBy(() -> guest.client.hello(Duration.ofMillis(300)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.channelBroken()).isTrue());
        assertThat(guest.client.failure().getNow(null)).contains("did not answer HELLO within 300 ms");
        assertBroken();
    }

    @Test
    void silence_missesTheRequestDeadline() throws Exception {
        Future<Void> mkdir = async(() -> {
            guest.client.mkdir("/a", true);
            return null;
        });
        assertThatThrownBy(() -> mkdir.get(15, TimeUnit.SECONDS)).cause().isInstanceOf(AgentException.class);
        assertThat(guest.client.failure().getNow(null)).contains("did not answer MKDIR within 2000 ms");
    }

    @Test
    void moreDataThanTheWindow_isAViolation() throws Exception {
        ExecStream s = started();
        for (int i = 0; i < 5; i++) guest.send(1, Proto.STDOUT, new byte[Proto.MAX_CHUNK]);
        assertThat(awaitFailure()).contains("stream 1").contains("exceeds the window");
        assertThatThrownBy(() -> {
            while (true) s.next(Duration.ofSeconds(1));
        }).isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.channelBroken()).isTrue());
    }

    @Test
    void tinyFrames_areMergedAndTheirCountIsCapped() throws Exception {
        guest.client.channel().exitBackstop = Duration.ofSeconds(120); // the burst may take longer than the exec's 300 ms
        ExecStream s = started();
        byte[] burst = new byte[13 * Proto.WINDOW];
        for (int i = 0; i < Proto.WINDOW; i++) System.arraycopy(FrameCodec.encode(1, Proto.STDOUT, new byte[] {'x'}), 0, burst, 13 * i, 13);
        // Decoding 262,144 frames with a cold JIT on a loaded CI machine has taken over 5 s: the HELLO
        // deadline here only has to outlast the burst, it is not what this test measures.
        Future<AgentInfo> hello = async(() -> guest.client.hello(Duration.ofSeconds(60)));
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.raw(burst); // a whole window in one-byte frames: held as four 64 KiB chunks
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1)); // answered: the burst was read
        hello.get(60, TimeUnit.SECONDS);
        assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Started.class);
        long got = 0;
        while (got < Proto.WINDOW) {
            ExecEvent e = s.next(Duration.ofSeconds(5));
            assertThat(e).isInstanceOf(ExecEvent.Stdout.class);
            assertThat(((ExecEvent.Stdout) e).data().length).isEqualTo(Proto.MAX_CHUNK);
            got += ((ExecEvent.Stdout) e).data().length;
        }
        assertThat(guest.client.failure()).isNotDone();
        s.next(Duration.ofMillis(50)); // hands the last chunk's credit back
        long credit = 0;
        while (credit < Proto.WINDOW) credit += Fields.parse(guest.read().payload()).integer(Proto.N);
        try { // alternating types cannot be merged
            for (int i = 0; i < 20_000; i++) guest.send(1, i % 2 == 0 ? Proto.STDOUT : Proto.STDERR, new byte[] {'y'});
        } catch (java.io.IOException hungUp) {
            // the host closed the channel on the violation
        }
        assertThat(awaitFailure()).contains("more than 16384 frames queued");
    }

    @Test
    void frameForAStreamThatIsNotOpen_isAViolation() throws Exception {
        guest.send(99, Proto.STDOUT, new byte[] {1});
        assertThat(awaitFailure()).contains("STDOUT on stream 99, which is not open");
    }

    @Test
    void frameAfterTheLastOne_isAViolation() throws Exception {
        Future<Void> rm = async(() -> {
            guest.client.remove("/a", false);
            return null;
        });
        Frame req = guest.read();
        guest.send(req.stream(), Proto.OK, new byte[0]);
        rm.get(15, TimeUnit.SECONDS);
        guest.send(req.stream(), Proto.OK, new byte[0]);
        assertThat(awaitFailure()).contains("OK on stream " + req.stream() + ", which is not open");
    }

    @Test
    void endOfStream_failsTheChannel() throws Exception {
        Future<List<FileStat>> pending = async(() -> guest.client.list("/"));
        guest.read();
        guest.hangUp();
        assertThat(awaitFailure()).contains("closed by the guest");
        assertFailsBroken(pending);
    }

    @Test
    void malformedFields_areAViolation() throws Exception {
        Future<FileStat> pending = async(() -> guest.client.stat("/etc"));
        Frame req = guest.read();
        guest.send(req.stream(), Proto.STAT_RESULT, new byte[] {Proto.SIZE, 0, 0, 1, 0, 1, 2});
        assertThat(awaitFailure()).contains("overruns the payload");
        assertFailsBroken(pending);
    }

    @Test
    void wrongAnswerType_isAViolation() throws Exception {
        Future<FileStat> pending = async(() -> guest.client.stat("/etc"));
        Frame req = guest.read();
        guest.send(req.stream(), Proto.STARTED, Fields.builder().integer(Proto.PID, 1));
        assertThat(awaitFailure()).contains("unexpected STARTED on a STAT stream");
        assertFailsBroken(pending);
    }

    @Test
    void unsolicitedHelloOk_isAViolation() throws Exception {
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1));
        assertThat(awaitFailure()).contains("answers no HELLO");
    }

    @Test
    void unknownProtocolVersion_isRefused() throws Exception {
        Future<AgentInfo> hello = async(() -> guest.client.hello(Duration.ofSeconds(2)));
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 3).string(Proto.AGENT, "x"));
        assertFailsBroken(hello);
        assertThat(awaitFailure()).isEqualTo("agent protocol version 3 not supported");
    }

    @Test
    void creditGoesBackOnlyAfterTheConsumerPulled() throws Exception {
        ExecStream s = started();
        for (int i = 0; i < 4; i++) guest.send(1, Proto.STDOUT, new byte[Proto.MAX_CHUNK]); // the whole window
        assertThat(guest.poll(300)).as("no credit while nobody reads").isNull();
        assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Started.class);
        assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Stdout.class);
        assertThat(guest.poll(200)).as("the first chunk is still with the caller").isNull();
        assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Stdout.class);
        Frame w = guest.read();
        assertThat(w.type()).isEqualTo(Proto.WINDOW_T);
        assertThat(Fields.parse(w.payload()).integer(Proto.N)).isEqualTo(Proto.MAX_CHUNK);
        guest.send(1, Proto.STDOUT, new byte[Proto.MAX_CHUNK]); // exactly the returned credit: allowed
        guest.send(1, Proto.EXIT, Fields.builder().integer(Proto.CODE, 0).integer(Proto.SIGNO, 0).integer(Proto.TIMED_OUT, 0));
        int chunks = 0;
        ExecEvent e;
        while (!((e = s.next(Duration.ofSeconds(1))) instanceof ExecEvent.Exit)) chunks++;
        assertThat(chunks).isEqualTo(3);
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void writeFile_stopsAtTheWindowUntilTheGuestGivesCredit() throws Exception {
        byte[] data = new byte[1 << 20];
        Future<Void> write = async(() -> {
            guest.client.writeFile("/workspace/f", 0644, new ByteArrayInputStream(data));
            return null;
        });
        Frame open = guest.read();
        assertThat(open.type()).isEqualTo(Proto.FILE_WRITE);
        assertThat(Fields.parse(open.payload()).string(Proto.PATH)).isEqualTo("/workspace/f");
        long got = 0;
        while (got < Proto.WINDOW) got += guest.read().length();
        assertThat(got).isEqualTo(Proto.WINDOW);
        assertThat(guest.poll(300)).as("nothing beyond the window").isNull();
        guest.send(open.stream(), Proto.WINDOW_T, Fields.builder().integer(Proto.N, 100_000));
        got = 0;
        while (got < 100_000) got += guest.read().length();
        assertThat(got).isEqualTo(100_000);
        assertThat(guest.poll(300)).isNull();
        guest.send(open.stream(), Proto.ERROR, Fields.builder().integer(Proto.ERRNO, 28).string(Proto.MESSAGE, "No space"));
        assertThatThrownBy(() -> write.get(15, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.errno()).isEqualTo(28);
            assertThat(e.channelBroken()).isFalse();
        });
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void creditBeyondWhatWasSent_isAViolation() throws Exception {
        async(() -> {
            guest.client.writeFile("/f", 0644, new ByteArrayInputStream(new byte[10]));
            return null;
        });
        Frame open = guest.read();
        guest.send(open.stream(), Proto.WINDOW_T, Fields.builder().integer(Proto.N, 11));
        assertThat(awaitFailure()).contains("not credit for data the host sent");
    }

    @Test
    void execBackstop_cancelsTheStreamOfAGuestThatNeverEndsATimedCommand_notTheChannel() throws Exception {
        guest.client.channel().exitBackstop = Duration.ofMillis(200);
        ExecStream s = started(); // timeout 300 ms + backstop 200 ms
        assertThat(s.next(Duration.ofSeconds(1))).isInstanceOf(ExecEvent.Started.class);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.next(Duration.ofSeconds(10))).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.channelBroken()).isFalse();
            assertThat(e.errno()).isEqualTo(110);
            assertThat(e.getMessage()).contains("did not end within its timeout + 200 ms");
        });
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
        assertThat(guest.read().type()).as("the guest is told to give the stream up").isEqualTo(Proto.CANCEL);
        assertThat(s.next(Duration.ofMillis(10))).as("the stream is over").isNull();
        guest.send(1, Proto.STDOUT, new byte[10]); // what the guest sent before it read CANCEL is dropped
        assertThat(guest.client.failure()).isNotDone();
        Future<AgentInfo> hello = async(() -> guest.client.hello(Duration.ofSeconds(2)));
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.AGENT, "old"));
        assertThat(hello.get(5, TimeUnit.SECONDS).protocolVersion()).as("version 1 agents are still served").isEqualTo(1);
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void cancelledStreams_tolerateStragglers() throws Exception {
        ExecStream s = started();
        s.close();
        Frame cancel = guest.read();
        assertThat(cancel.type()).isEqualTo(Proto.CANCEL);
        guest.send(1, Proto.STDOUT, new byte[100]); // already in flight when the guest saw CANCEL
        guest.send(1, Proto.EXIT, Fields.builder().integer(Proto.CODE, -1).integer(Proto.SIGNO, 9));
        assertThat(s.next(Duration.ofMillis(10))).isInstanceOf(ExecEvent.Started.class);
        assertThat(s.next(Duration.ofMillis(10))).isNull();
        Future<AgentInfo> hello = async(() -> guest.client.hello(Duration.ofSeconds(2)));
        assertThat(guest.read().type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.HOSTNAME, "h"));
        assertThat(hello.get(15, TimeUnit.SECONDS).hostname()).isEqualTo("h");
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void nulCharacters_areRefusedBeforeAnythingIsSent() throws Exception {
        assertThatThrownBy(() -> guest.client.exec(new ExecRequest(List.of("a\0b"), null, null, null, false)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> guest.client.stat("/a\0b"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> guest.client.exec(new ExecRequest(List.of("env"), java.util.Map.of("A=B", "c"), null, null, false)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThat(guest.poll(200)).isNull();
        assertThat(guest.client.failure()).isNotDone();
    }

    @Test
    void listOverTheCap_failsWithE2bigAndCancels() throws Exception {
        Future<List<FileStat>> list = async(() -> guest.client.list("/big"));
        Frame req = guest.read();
        for (int i = 0; i <= 1000; i++) {
            guest.send(req.stream(), Proto.LIST_ENTRY, Fields.builder().string(Proto.NAME, "f" + i)
                    .string(Proto.TYPE, "file").integer(Proto.SIZE, 1).integer(Proto.MODE, 0644).integer(Proto.MTIME_MS, 0));
        }
        assertThatThrownBy(() -> list.get(15, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.errno()).isEqualTo(AgentClient.E2BIG);
            assertThat(e.channelBroken()).isFalse();
        });
        assertThat(guest.read().type()).isEqualTo(Proto.CANCEL);
        guest.send(req.stream(), Proto.OK, new byte[0]);
        assertThat(guest.client.failure()).isNotDone();
    }
}
