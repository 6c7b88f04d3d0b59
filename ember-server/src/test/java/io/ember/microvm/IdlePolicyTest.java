package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.store.MicrovmRecord;
import io.ember.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The idle policy and the lifetime limit, with a short idle tick. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdlePolicyTest {
    @TempDir
    Path dir;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 3);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void shouldSuspendAMicrovmWithoutRequestsForMaxIdleDuration() {
        long t0 = System.nanoTime();
        String id = f.running(600, new IdlePolicy(1, 28800, true));
        Await.until("SUSPENDED", () -> f.state(id).equals("SUSPENDED"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not before the idle limit").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(f.events(id)).containsExactly("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/IDLE", "SUSPENDED/IDLE");
        assertThat(f.microvms.events(id).getLast().message()).contains("idle policy");
        assertThat(f.microvms.get(id).vmmPid()).isNull();
        assertThat(f.driver.saves).hasSize(1);
    }

    @Test
    void shouldNotSuspendWhileALeaseIsOpen() throws Exception {
        String id = f.running(600, new IdlePolicy(1, 28800, true));
        long closedAt;
        try (GuestLease lease = f.microvms.use(id)) {
            Thread.sleep(2_500); // well past the 1 s limit, with 25 ticks of the watch
            assertThat(f.state(id)).isEqualTo("RUNNING");
            assertThat(f.driver.saves).isEmpty();
            closedAt = System.nanoTime();
        }
        Await.until("SUSPENDED after the lease closed", () -> f.state(id).equals("SUSPENDED"));
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("idle counts from the lease's end")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(f.events(id)).endsWith("SUSPENDING/IDLE", "SUSPENDED/IDLE");
    }

    @Test
    void shouldNotSuspendWithoutAMaxIdleDuration() throws Exception {
        String id = f.running(600, new IdlePolicy(0, 28800, true));
        Thread.sleep(1_500);
        assertThat(f.state(id)).isEqualTo("RUNNING");
        assertThat(f.driver.saves).isEmpty();
    }

    @Test
    void shouldSuspendAgainAfterAnAutomaticResume() {
        String id = f.running(600, new IdlePolicy(1, 28800, true));
        Await.until("SUSPENDED", () -> f.state(id).equals("SUSPENDED"));
        f.microvms.use(id).close();
        Await.until("SUSPENDED again", () -> f.driver.saves.size() == 2 && f.state(id).equals("SUSPENDED"));
        assertThat(f.events(id)).endsWith("SUSPENDED/IDLE", "PENDING/REQUEST", "RUNNING/BOOT", "SUSPENDING/IDLE", "SUSPENDED/IDLE");
    }

    @Test
    void shouldTerminateAMicrovmSuspendedForLongerThanSuspendedDuration() {
        String id = f.running(600, new IdlePolicy(0, 1, true));
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        long suspendedAt = System.nanoTime();
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(Duration.ofNanos(System.nanoTime() - suspendedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.stateReason()).contains("suspendedDurationSeconds");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "TERMINATING/IDLE", "TERMINATED/IDLE");
        assertThat(workDir).doesNotExist();
        assertThat(f.store.suspendedAt(id)).isEmpty();
    }

    /** AWS: suspendedDurationSeconds is how long it may stay suspended; 0 ends it as soon as it is suspended. */
    @Test
    void shouldTerminateAMicrovmAtOnceWhenItsSuspendedDurationIsZero() {
        String id = f.running(600, new IdlePolicy(0, 0, true));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(f.microvms.get(id).stateReason()).contains("suspendedDurationSeconds (0 s)");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "TERMINATING/IDLE", "TERMINATED/IDLE");
    }

    @Test
    void shouldNotTerminateASuspendedMicrovmBeforeItsSuspendedDuration() throws Exception {
        String id = f.running(600, new IdlePolicy(0, 28800, true));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        Thread.sleep(1_500);
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
    }

    @Test
    void shouldEndASuspendedMicrovmAtItsMaximumDuration() {
        String id = f.running(2, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        assertThat(workDir.resolve("snapshot.json")).exists();
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.stateReason()).isEqualTo("Maximum duration of 2 seconds reached");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "TERMINATING/LIFETIME", "TERMINATED/LIFETIME");
        assertThat(workDir).doesNotExist();
        assertThat(f.driver.restores).as("a suspended microVM is not woken to be ended").isEmpty();
    }
}
