package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.metering.Granularity;
import io.ember.metering.Metering;
import io.ember.metering.PriceTable;
import io.ember.metering.UsageReport;
import io.ember.store.UsageRecord;
import io.ember.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metered seconds match the wall clock through run, suspend, resume and server restarts: none lost, none counted
 * twice (docs/metering.md).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsageRestartTest {
    static final long PHASE_MS = 1_500;

    @TempDir
    Path dir;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 4);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    UsageReport report(String id, Instant from, Instant to) {
        return new Metering(f.microvms::usage, PriceTable.defaults(), Clock.systemUTC())
                .report(io.ember.tenant.Tenant.ADMIN_ID, id, from, to, Granularity.TOTAL);
    }

    static long seconds(long fromMs, long toMs) {
        return Math.round((toMs - fromMs) / 1000.0);
    }

    @Test
    void shouldMatchTheWallClockAcrossSuspendResumeAndARestartWithoutCountingTwice() throws Exception {
        long t0 = System.currentTimeMillis();
        String id = f.running(600, null);
        Thread.sleep(PHASE_MS);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        long slept = System.currentTimeMillis();
        Thread.sleep(PHASE_MS);
        long waking = System.currentTimeMillis();
        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        Thread.sleep(PHASE_MS);
        f.close(); // the server stops; the VM goes on running, and its seconds count
        Thread.sleep(PHASE_MS);
        f.start();
        assertThat(f.state(id)).isEqualTo("RUNNING");
        Thread.sleep(PHASE_MS);
        long now = System.currentTimeMillis();

        UsageReport r = report(id, Instant.EPOCH, null);
        long running = seconds(t0, slept) + seconds(waking, now);
        assertThat(r.total().runningSeconds()).isBetween(running - 1, running + 1);
        assertThat(r.total().suspendedSeconds()).isBetween(seconds(slept, waking) - 1, seconds(slept, waking) + 1);
        // busybox: 1 vCPU, no size: all of it billed (vCPU-seconds exact to the millisecond, seconds rounded once)
        assertThat(r.total().vcpuSeconds()).isCloseTo(java.math.BigDecimal.valueOf(r.total().runningSeconds()),
                org.assertj.core.api.Assertions.within(new java.math.BigDecimal("0.5")));
        assertThat(f.store.usage(null, id, Instant.EPOCH, Instant.now())).filteredOn(u -> u.kind().equals("SUSPENDED"))
                .singleElement().satisfies(u -> assertThat(u.diskBytes()).as("the snapshot's bytes").isPositive());

        UsageReport asleep = report(id, Instant.ofEpochMilli(slept + 100), Instant.ofEpochMilli(waking - 100));
        assertThat(asleep.total().runningSeconds()).isZero();
        assertThat(asleep.total().vcpuSeconds()).isZero();
        assertThat(asleep.total().memoryGibSeconds()).isZero();
        assertThat(asleep.total().suspendedSeconds()).isPositive();
        assertContiguous(id);
    }

    @Test
    void shouldKeepASuspendedMicrovmsStorageSecondsAcrossARestart() throws Exception {
        long t0 = System.currentTimeMillis();
        String id = f.running(600, null);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        long slept = System.currentTimeMillis();
        f.close();
        Thread.sleep(PHASE_MS);
        f.start();
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
        Thread.sleep(PHASE_MS);
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.USER));
        long ended = System.currentTimeMillis();
        Thread.sleep(1_000);

        UsageReport r = report(id, Instant.EPOCH, null);
        assertThat(r.total().runningSeconds()).isBetween(seconds(t0, slept) - 1, seconds(t0, slept) + 1);
        assertThat(r.total().suspendedSeconds()).isBetween(seconds(slept, ended) - 1, seconds(slept, ended) + 1);
        assertThat(f.store.usage(null, id, Instant.EPOCH, Instant.now().plusSeconds(60)))
                .as("terminated: nothing open").allSatisfy(u -> assertThat(u.end()).isNotNull());
        assertContiguous(id);
    }

    /** The rule for a VMM that died while no server watched: its seconds count until the restart noticed. */
    @Test
    void shouldCountAVmmThatDiedWhileTheServerWasDownUntilTheRestartNoticed() throws Exception {
        long t0 = System.currentTimeMillis();
        String id = f.running(600, null);
        f.close();
        f.driver.vm(id).crash(137);
        Thread.sleep(PHASE_MS);
        long restart = System.currentTimeMillis();
        f.start();
        long noticed = System.currentTimeMillis();
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(f.microvms.get(id).stateReason()).isEqualTo(Reconciler.GONE);
        Thread.sleep(1_000);

        long counted = report(id, Instant.EPOCH, null).total().runningSeconds();
        assertThat(counted).isBetween(seconds(t0, restart) - 1, seconds(t0, noticed) + 1);
        assertContiguous(id);
    }

    /** Each interval starts where the one before ended, and at most the last one is open. */
    private void assertContiguous(String id) {
        List<UsageRecord> rows = f.store.usage(null, id, Instant.EPOCH, Instant.now().plusSeconds(60));
        for (int i = 1; i < rows.size(); i++) assertThat(rows.get(i).start()).isEqualTo(rows.get(i - 1).end());
        for (int i = 0; i < rows.size() - 1; i++) assertThat(rows.get(i).end()).isNotNull();
        assertThat(rows.getFirst().start()).isEqualTo(f.microvms.get(id).startedAt());
    }
}
