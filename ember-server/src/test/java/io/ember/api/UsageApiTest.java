package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GET /ember/v1/usage over a server with fake machines (docs/metering.md). */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsageApiTest {
    static final long PHASE_MS = 1_500;

    @TempDir
    Path dir;
    ApiFixture api;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/prices.json"),
                "{\"currency\":\"EUR\",\"vcpuSecond\":1,\"memoryGibSecond\":0.5,\"storageGibSecond\":1000}");
        api = new ApiFixture(dir, 4);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static long seconds(long fromMs, long toMs) {
        return Math.round((toMs - fromMs) / 1000.0);
    }

    static String q(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldReportRunSleepRunAgainstTheWallClockWithNoComputeWhileSuspended() throws Exception {
        long t0 = System.currentTimeMillis();
        String id = api.running();
        Thread.sleep(PHASE_MS);
        api.ok("POST", "/2025-09-09/microvms/" + id + "/suspend", null);
        long slept = System.currentTimeMillis();
        Thread.sleep(PHASE_MS);
        long waking = System.currentTimeMillis();
        api.ok("POST", "/2025-09-09/microvms/" + id + "/resume", null);
        Thread.sleep(PHASE_MS);
        long now = System.currentTimeMillis();

        JsonNode all = api.ok("GET", "/ember/v1/usage?microvmId=" + id, null);
        assertThat(all.get("granularity").asText()).isEqualTo("total");
        assertThat(all.get("prices").get("currency").asText()).isEqualTo("EUR");
        JsonNode vm = all.get("microvms").get(0);
        assertThat(vm.get("microvmId").asText()).isEqualTo(id);
        JsonNode total = vm.get("total");
        long running = seconds(t0, slept) + seconds(waking, now);
        assertThat(total.get("runningSeconds").asLong()).isBetween(running - 1, running + 1);
        // 1 vCPU, no size: vCPU-seconds to the millisecond, running seconds rounded once
        assertThat(total.get("vcpuSeconds").decimalValue()).isCloseTo(total.get("runningSeconds").decimalValue(),
                org.assertj.core.api.Assertions.within(new java.math.BigDecimal("0.5")));
        assertThat(total.get("memoryGibSeconds").decimalValue()).isPositive();
        assertThat(total.get("suspendedSeconds").asLong())
                .isBetween(seconds(slept, waking) - 1, seconds(slept, waking) + 1);
        assertThat(all.get("total")).isEqualTo(total);
        assertThat(total.get("price").decimalValue()).isEqualByComparingTo(
                total.get("vcpuSeconds").decimalValue()
                        .add(total.get("memoryGibSeconds").decimalValue().multiply(new java.math.BigDecimal("0.5")))
                        .add(total.get("storageGibSeconds").decimalValue().multiply(new java.math.BigDecimal("1000"))));

        Instant from = Instant.ofEpochMilli(slept + 100);
        Instant to = Instant.ofEpochMilli(waking - 100);
        JsonNode asleep = api.ok("GET", "/ember/v1/usage?microvmId=" + id + "&from=" + q(from) + "&to=" + q(to), null)
                .get("total");
        assertThat(asleep.get("runningSeconds").asLong()).isZero();
        assertThat(asleep.get("vcpuSeconds").asLong()).isZero();
        assertThat(asleep.get("memoryGibSeconds").decimalValue()).isZero();
        assertThat(asleep.get("suspendedSeconds").asLong()).isPositive();

        JsonNode hourly = api.ok("GET", "/ember/v1/usage?granularity=hour&from=" + (t0 / 1000 - 7200), null);
        long sum = 0;
        for (JsonNode p : hourly.get("periods")) sum += p.get("runningSeconds").asLong();
        assertThat(sum).isBetween(running - 2, running + 2); // each hour's row is rounded on its own
        assertThat(hourly.get("periods").get(0).get("start").asText()).endsWith(":00:00Z");
    }

    @Test
    void shouldAnswerAnEmptyReportForAPeriodWithoutUsage() {
        HttpResponse<String> raw = api.send("GET", "/ember/v1/usage?from=1000&to=2000", null);
        assertThat(raw.body()).as("decimals written plainly").contains("\"price\":0.0000000000").doesNotContain("E-");
        JsonNode r = ApiFixture.json(raw);
        assertThat(r.get("microvms")).isEmpty();
        assertThat(r.get("total").get("runningSeconds").asLong()).isZero();
        assertThat(r.get("total").get("price").decimalValue()).isZero();
        assertThat(r.get("from").asText()).isEqualTo("1970-01-01T00:16:40Z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "granularity=week | granularity must be hour, day or total",
        "granularity=hour | from is required with granularity hour",
        "from=yesterday | from must be an ISO-8601 instant",
        "from=2000&to=1000 | from must be before to",
        "granularity=hour&from=0&to=360000000 | at most 10000 periods",
        "microvmId= | microvmId must be 1..2048 characters",
    })
    void shouldRefuseBadQueriesWithATypedError(String query, String message) {
        HttpResponse<String> r = api.send("GET", "/ember/v1/usage?" + query, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = ApiFixture.json(r);
        assertThat(body.get("__type").asText()).isEqualTo("ValidationException");
        assertThat(body.get("message").asText()).contains(message);
    }

    @Test
    void shouldRefuseToStartWithABadPriceTable(@TempDir Path other) throws Exception {
        Files.createDirectories(other.resolve("data"));
        Files.writeString(other.resolve("data/prices.json"), "{\"vcpuSecond\":\"cheap\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApiFixture(other, 1))
                .hasMessageContaining("prices.json").hasMessageContaining("vcpuSecond must be a number");
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownMicrovm() {
        HttpResponse<String> r = api.send("GET", "/ember/v1/usage?microvmId=mvm-000000000000000000000000", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo("ResourceNotFoundException");
    }
}
