package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metered seconds of a real QEMU guest that ran, slept and ran again, against the wall clock (docs/metering.md). */
class UsageEndToEndTest {
    private EmberTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = EmberTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    static long seconds(long fromMs, long toMs) {
        return Math.round((toMs - fromMs) / 1000.0);
    }

    @Test
    void shouldMatchTheWallClockAndBillNoComputeWhileSuspended() throws Exception {
        long t0 = System.currentTimeMillis();
        try (TestVm vm = TestVm.run(server, "busybox")) {
            Thread.sleep(1500);
            Rest.suspend(server, vm.id);
            long slept = System.currentTimeMillis();
            Thread.sleep(2000);
            long waking = System.currentTimeMillis();
            Rest.resume(server, vm.id);
            Thread.sleep(1500);
            long now = System.currentTimeMillis();

            JsonNode total = Rest.get(server, "/ember/v1/usage?microvmId=" + vm.id).body().path("total");
            long running = seconds(t0, slept) + seconds(waking, now);
            assertThat(total.path("runningSeconds").asLong()).as(total.toString()).isBetween(running - 1, running + 1);
            assertThat(total.path("suspendedSeconds").asLong()).as(total.toString())
                    .isBetween(seconds(slept, waking) - 1, seconds(slept, waking) + 1);
            assertThat(total.path("storageGibSeconds").decimalValue()).as("the snapshot's bytes, billed").isPositive();

            String from = URLEncoder.encode(Instant.ofEpochMilli(slept + 100).toString(), StandardCharsets.UTF_8);
            String to = URLEncoder.encode(Instant.ofEpochMilli(waking - 100).toString(), StandardCharsets.UTF_8);
            JsonNode asleep = Rest.get(server, "/ember/v1/usage?microvmId=" + vm.id + "&from=" + from + "&to=" + to)
                    .body().path("total");
            assertThat(asleep.path("runningSeconds").asLong()).isZero();
            assertThat(asleep.path("vcpuSeconds").asLong()).isZero();
            assertThat(asleep.path("memoryGibSeconds").decimalValue()).isZero();
            assertThat(asleep.path("suspendedSeconds").asLong()).isPositive();
        }
    }
}
