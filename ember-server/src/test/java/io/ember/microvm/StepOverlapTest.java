package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.tenant.Tenant;
import io.ember.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow steps run outside the machine's lock (Machine.settled): calls that meet one wait for it to end where they
 * used to queue on the lock, and requests wait no longer than their deadline.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StepOverlapTest {
    @TempDir
    Path dir;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 4);
    }

    @AfterEach
    void tearDown() {
        f.driver.restoreGate.countDown();
        f.close();
    }

    @Test
    void aSuspendDuringAResumeAppliesOnceTheResumeIsOver() throws Exception {
        String id = f.running(600, null);
        f.microvms.suspend(Tenant.ADMIN_ID, id);
        f.driver.restoreGate = new CountDownLatch(1);
        var resume = CompletableFuture.runAsync(() -> f.microvms.resume(Tenant.ADMIN_ID, id));
        Await.until("the restore started", () -> f.driver.restoring.get() == 1);

        var suspend = CompletableFuture.supplyAsync(() -> f.microvms.suspend(Tenant.ADMIN_ID, id));
        MicrovmException e = refusal(() -> f.microvms.use(id, Duration.ofMillis(100)).close());
        assertThat(e.getMessage()).contains("is still PENDING after 100 ms");
        assertThat(suspend).as("waits for the resume, not refused because PENDING").isNotDone();

        f.driver.restoreGate.countDown();
        resume.get(20, TimeUnit.SECONDS);
        assertThat(suspend.get(20, TimeUnit.SECONDS).state()).isEqualTo("SUSPENDED");
        assertThat(f.events(id)).endsWith("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/USER", "SUSPENDED/USER");
    }

    private static MicrovmException refusal(Runnable call) {
        try {
            call.run();
        } catch (MicrovmException e) {
            return e;
        }
        throw new AssertionError("expected a MicrovmException");
    }
}
