package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A guest that abuses the metadata stream breaks its channel; the host never opens it before HELLO shows the feature. */
class AgentClientMetadataHostileTest {
    @TempDir
    Path dir;
    FakeGuest guest;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        guest = new FakeGuest(dir, FakeGuest.quick());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        guest.close();
    }

    /** HELLO answered with {@code features}; returns the METADATA frame the host then sends, or null. */
    private Frame hello(String features) throws Exception {
        guest.client.serveMetadata(name -> {
            try {
                release.await(); // a slow store: answers wait until the test lets them go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetadataAnswer.value(new byte[] {1});
        });
        assertThat(guest.poll(200)).as("nothing before HELLO").isNull();
        Future<AgentInfo> info = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return guest.client.hello(Duration.ofSeconds(2));
            } catch (AgentException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Frame h = guest.read();
        assertThat(h.type()).isEqualTo(Proto.HELLO);
        guest.send(0, Proto.HELLO_OK, Fields.builder().integer(Proto.F_VERSION, 1).string(Proto.FEATURES, features));
        info.get(5, TimeUnit.SECONDS);
        return guest.poll(300);
    }

    @Test
    void anAgentWithoutTheFeatureGetsNoMetadataStream() throws Exception {
        assertThat(hello("user,spawn,restored,net,tcp,pty")).isNull();
    }

    @Test
    void moreThan16UnansweredRequestsBreakTheChannel() throws Exception {
        Frame open = hello("tcp,metadata");
        assertThat(open.type()).isEqualTo(Proto.METADATA);
        guest.send(open.stream(), Proto.OK, new byte[0]);
        for (int i = 1; i <= 17; i++) {
            guest.send(open.stream(), Proto.META_REQUEST, Fields.builder().integer(Proto.REQ, i).string(Proto.NAME, "s" + i));
        }
        assertThat(guest.client.failure().get(10, TimeUnit.SECONDS)).contains("more than 16 metadata requests unanswered");
    }

    @Test
    void aRequestBeforeOkOrWithABadReqIsAViolation() throws Exception {
        Frame open = hello("metadata");
        guest.send(open.stream(), Proto.META_REQUEST, Fields.builder().integer(Proto.REQ, 1));
        assertThat(guest.client.failure().get(10, TimeUnit.SECONDS)).contains("unexpected META_REQUEST");
    }

    @Test
    void answersCarryTheRequestsReq() throws Exception {
        release.countDown();
        Frame open = hello("metadata");
        guest.send(open.stream(), Proto.OK, new byte[0]);
        guest.send(open.stream(), Proto.META_REQUEST, Fields.builder().integer(Proto.REQ, 42).string(Proto.NAME, "db"));
        Frame a = guest.read();
        assertThat(a.type()).isEqualTo(Proto.META_ANSWER);
        Fields f = Fields.parse(a.payload());
        assertThat(f.integer(Proto.REQ)).isEqualTo(42);
        assertThat(f.integer(Proto.STATUS)).isEqualTo(200);
        guest.send(open.stream(), Proto.META_REQUEST, Fields.builder().integer(Proto.REQ, 0));
        assertThat(guest.client.failure().get(10, TimeUnit.SECONDS)).contains("META_REQUEST with REQ 0");
    }
}
