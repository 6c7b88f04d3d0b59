package io.ember.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.GuestAgent;
import io.ember.testing.FakeAgents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP side of a hook over a fake agent whose guest TCP ports are loopback sockets run by a scripted server. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HookCallTest {
    private static final int GUEST_PORT = 8080;
    private final FakeAgents agents = new FakeAgents();
    private GuestAgent agent;
    private ServerSocket server;
    /** What the application answers once it has read the request (the socket's output; null: read only). */
    private volatile Responder responder;
    private final CompletableFuture<String> request = new CompletableFuture<>();
    /** Completed when the responder's writing failed or the host closed: what the application saw. */
    private final CompletableFuture<String> afterAnswer = new CompletableFuture<>();

    interface Responder {
        void answer(OutputStream out) throws Exception;
    }

    @BeforeEach
    void start() throws Exception {
        agent = agents.connect(Path.of("/tmp/none/agent.sock"), Duration.ofSeconds(1));
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        agents.tcpPorts.put(GUEST_PORT, server.getLocalPort());
        Thread.ofVirtual().start(this::serve);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) break;
                head.write(c);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int length = Integer.parseInt(h.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            request.complete(h + new String(in.readNBytes(length), StandardCharsets.UTF_8));
            try {
                if (responder != null) responder.answer(s.getOutputStream());
                s.getOutputStream().flush();
                afterAnswer.complete("answered");
            } catch (Exception e) {
                afterAnswer.complete("cut: " + e);
            }
        } catch (IOException e) {
            request.complete("server failed: " + e);
        }
    }

    private HookCall.Outcome post(String body, Duration timeout) {
        return HookCall.post(agent, GUEST_PORT, "/run", Map.of("X-Ember-Microvm-Id", "mvm-1", "X-Ember-Hook", "run"),
                body.getBytes(StandardCharsets.UTF_8), timeout);
    }

    private static Responder text(String answer) {
        return out -> out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void postsTheBodyWithItsHeadersAndSucceedsOnA2xxAnswer() throws Exception {
        responder = text("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"ok\":true}\n");
        HookCall.Outcome o = post("{\"tenant\":\"é\"}", Duration.ofSeconds(5));
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.message()).startsWith("answered 200 OK in ").endsWith(" ms");
        String req = request.get(5, TimeUnit.SECONDS);
        assertThat(req).startsWith("POST /run HTTP/1.1\r\n").contains("\r\nHost: 127.0.0.1:8080\r\n")
                .contains("\r\nX-Ember-Microvm-Id: mvm-1\r\n").contains("\r\nX-Ember-Hook: run\r\n")
                .contains("\r\nConnection: close\r\n").contains("\r\nContent-Length: 15\r\n") // é is two bytes
                .endsWith("\r\n\r\n{\"tenant\":\"é\"}");
        assertThat(afterAnswer.get(5, TimeUnit.SECONDS)).isEqualTo("answered");
    }

    @Test
    void acceptsAnyTwoHundredAndBareLineFeeds() {
        responder = text("HTTP/1.0 204\n\n");
        HookCall.Outcome o = post("", Duration.ofSeconds(5));
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(o.message()).startsWith("answered 204 in ");
    }

    @Test
    void failsOnANon2xxStatusNamingIt() {
        responder = text("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        HookCall.Outcome o = post("", Duration.ofSeconds(5));
        assertThat(o.ok()).isFalse();
        assertThat(o.status()).isEqualTo(503);
        assertThat(o.message()).startsWith("answered 503 Service Unavailable in ");
    }

    @Test
    void failsOnGarbageShowingItPrintably() {
        responder = text("SSH-2.0-OpenSSH\u0007\u0001\r\n\r\n");
        HookCall.Outcome o = post("", Duration.ofSeconds(5));
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).isEqualTo("malformed answer: 'SSH-2.0-OpenSSH??'");
    }

    @Test
    void failsWhenTheApplicationClosesWithoutAnswering() {
        responder = out -> {};
        HookCall.Outcome o = post("", Duration.ofSeconds(5));
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).isEqualTo("the application closed the connection without an answer");
    }

    @Test
    void failsWhenNothingListens() {
        agents.tcpPorts.clear();
        HookCall.Outcome o = post("", Duration.ofSeconds(5));
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).isEqualTo("connection refused on port 8080 (nothing listens there in the guest)");
    }

    @Test
    void readsAtMost64KibOfHeadersFromAHostileApplication() throws Exception {
        responder = out -> {
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] header = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 1_000_000; i++) out.write(header); // 60 MB unless the host stops reading
        };
        HookCall.Outcome o = post("", Duration.ofSeconds(20));
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).isEqualTo("answer headers longer than 65536 bytes");
        assertThat(afterAnswer.get(20, TimeUnit.SECONDS)).as("the host hung up instead of reading on").startsWith("cut: ");
    }

    @Test
    void timesOutAnApplicationThatNeverAnswersAndHangsUp() throws Exception {
        responder = out -> Thread.sleep(30_000);
        long t0 = System.nanoTime();
        HookCall.Outcome o = post("", Duration.ofSeconds(1));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).isEqualTo("timed out after 1 s");
        assertThat(ms).as("bounded by the hook's timeout").isBetween(900L, 10_000L);
    }

    @Test
    void aTwoHundredWhoseBodyStallsStillCounts() {
        responder = out -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(30_000);
        };
        HookCall.Outcome o = post("", Duration.ofSeconds(1));
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(o.status()).isEqualTo(200);
    }
}
