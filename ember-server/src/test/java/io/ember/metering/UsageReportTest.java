package io.ember.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.store.UsageRecord;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageReportTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final PriceTable PRICES = new PriceTable("EUR", new BigDecimal("1"), new BigDecimal("0.5"),
            new BigDecimal("0.25"));
    static final long GIB = 1L << 30;

    static UsageRecord running(String id, long startMs, Long endMs, int vcpus, int mib) {
        return new UsageRecord(id, null, "RUNNING", T0.plusMillis(startMs), endMs == null ? null : T0.plusMillis(endMs),
                vcpus, mib, 0);
    }

    static UsageRecord suspended(String id, long startMs, Long endMs, long bytes) {
        return new UsageRecord(id, null, "SUSPENDED", T0.plusMillis(startMs), endMs == null ? null : T0.plusMillis(endMs),
                2, 512, bytes);
    }

    @Test
    void shouldBillVcpusAndMemoryWhileRunningAndOnlyDiskWhileSuspended() {
        var rows = List.of(running("a", 0, 10_000L, 2, 512), suspended("a", 10_000, 14_000L, GIB),
                running("a", 14_000, null, 2, 512));
        UsageReport r = UsageReport.of(rows, T0, T0.plusSeconds(3600), Granularity.TOTAL, T0.plusSeconds(20), PRICES);

        UsageReport.Figures f = r.total();
        assertThat(f.runningSeconds()).isEqualTo(16); // 10 s, then the open interval until now (6 s)
        assertThat(f.vcpuSeconds()).isEqualByComparingTo("32");
        assertThat(f.memoryGibSeconds()).isEqualByComparingTo("8");
        assertThat(f.suspendedSeconds()).isEqualTo(4);
        assertThat(f.storageGibSeconds()).isEqualByComparingTo("4");
        assertThat(f.price()).isEqualByComparingTo("37"); // 32 * 1 + 8 * 0.5 + 4 * 0.25
        assertThat(r.microvms()).singleElement().satisfies(vm -> {
            assertThat(vm.microvmId()).isEqualTo("a");
            assertThat(vm.total()).isEqualTo(f);
            assertThat(vm.periods()).singleElement().satisfies(p -> {
                assertThat(p.start()).isEqualTo(T0);
                assertThat(p.end()).isEqualTo(T0.plusSeconds(3600));
            });
        });
    }

    @Test
    void shouldShowNoComputeInAWindowWhileSuspended() {
        var rows = List.of(running("a", 0, 10_000L, 2, 512), suspended("a", 10_000, 14_000L, GIB),
                running("a", 14_000, null, 2, 512));
        UsageReport r = UsageReport.of(rows, T0.plusSeconds(11), T0.plusSeconds(13), Granularity.TOTAL,
                T0.plusSeconds(20), PRICES);

        assertThat(r.total().runningSeconds()).isZero();
        assertThat(r.total().vcpuSeconds()).isZero();
        assertThat(r.total().memoryGibSeconds()).isZero();
        assertThat(r.total().suspendedSeconds()).isEqualTo(2);
        assertThat(r.total().price()).isEqualByComparingTo("0.5");
    }

    @Test
    void shouldClipIntervalsToThePeriodAndAnOpenOneToNow() {
        var rows = List.of(running("a", -5_000, 5_000L, 1, 1024), running("b", 2_000, null, 1, 1024));
        UsageReport r = UsageReport.of(rows, T0, T0.plusSeconds(100), Granularity.TOTAL, T0.plusSeconds(4), PRICES);

        assertThat(r.microvms()).extracting(UsageReport.MicrovmUsage::microvmId).containsExactly("a", "b");
        assertThat(r.microvms().get(0).total().runningSeconds()).isEqualTo(5);
        assertThat(r.microvms().get(1).total().runningSeconds()).isEqualTo(2);
        assertThat(r.total().memoryGibSeconds()).isEqualByComparingTo("7");
    }

    @Test
    void shouldSumMillisecondsBeforeRoundingOnce() {
        // Two runs of 1.4 s: 2.8 s is 3 whole seconds (rounding each would say 2).
        var rows = List.of(running("a", 0, 1_400L, 1, 1024), running("a", 5_000, 6_400L, 1, 1024));
        UsageReport r = UsageReport.of(rows, T0, T0.plusSeconds(60), Granularity.TOTAL, T0.plusSeconds(60), PRICES);
        assertThat(r.total().runningSeconds()).isEqualTo(3);
        assertThat(r.total().memoryGibSeconds()).isEqualByComparingTo("2.8");
        // Half a second rounds up; less rounds down.
        assertThat(UsageReport.of(List.of(running("a", 0, 500L, 1, 1)), T0, T0.plusSeconds(1), Granularity.TOTAL,
                T0.plusSeconds(1), PRICES).total().runningSeconds()).isEqualTo(1);
        assertThat(UsageReport.of(List.of(running("a", 0, 499L, 1, 1)), T0, T0.plusSeconds(1), Granularity.TOTAL,
                T0.plusSeconds(1), PRICES).total().runningSeconds()).isZero();
    }

    @Test
    void shouldSplitAtUtcHourBounds() {
        // 10:59:30 to 12:00:30: half a minute, a whole hour, half a minute.
        var rows = List.of(running("a", 3_570_000, 7_230_000L, 1, 1024));
        UsageReport r = UsageReport.of(rows, T0, T0.plusSeconds(4 * 3600), Granularity.HOUR, T0.plusSeconds(5 * 3600),
                PRICES);

        assertThat(r.periods()).extracting(UsageReport.Period::start).containsExactly(T0, T0.plusSeconds(3600),
                T0.plusSeconds(7200));
        assertThat(r.periods()).extracting(p -> p.figures().runningSeconds()).containsExactly(30L, 3600L, 30L);
        assertThat(r.periods().get(2).end()).isEqualTo(T0.plusSeconds(3 * 3600));
        assertThat(r.total().runningSeconds()).isEqualTo(3660);
    }

    @Test
    void shouldClipDayPeriodsToTheAskedSpan() {
        var rows = List.of(running("a", 0, 3_600_000L, 1, 1024));
        UsageReport r = UsageReport.of(rows, T0.plusSeconds(1800), T0.plusSeconds(7200), Granularity.DAY,
                T0.plusSeconds(9000), PRICES);
        assertThat(r.periods()).singleElement().satisfies(p -> {
            assertThat(p.start()).isEqualTo(T0.plusSeconds(1800));
            assertThat(p.end()).isEqualTo(T0.plusSeconds(7200));
            assertThat(p.figures().runningSeconds()).isEqualTo(1800);
        });
    }

    @Test
    void shouldNotOverflowOnLargeDisksOverLongSpans() {
        // 100 GiB suspended for a year: 3.4e21 byte-milliseconds.
        long year = 365L * 86_400_000;
        var rows = List.of(suspended("a", 0, year, 100 * GIB));
        UsageReport r = UsageReport.of(rows, T0, T0.plusMillis(year), Granularity.TOTAL, T0.plusMillis(year), PRICES);
        assertThat(r.total().storageGibSeconds()).isEqualByComparingTo(BigDecimal.valueOf(100L * 365 * 86_400));
    }

    @Test
    void shouldRefuseAnEmptySpanOrTooManyPeriods() {
        assertThat(UsageReport.invalid(T0, T0, Granularity.TOTAL)).contains("before");
        assertThat(UsageReport.invalid(T0, T0.plusSeconds(3600L * 20_000), Granularity.HOUR)).contains("at most");
        assertThat(UsageReport.invalid(T0, T0.plusSeconds(3600L * 20_000), Granularity.DAY)).isNull();
        assertThatThrownBy(() -> UsageReport.of(List.of(), T0.plusSeconds(1), T0, Granularity.TOTAL, T0, PRICES))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAnswerWithTheClockForAnOpenEndedQuery() {
        Metering m = new Metering((tenant, id, from, to) -> List.of(running("a", 0, null, 1, 1024)), PRICES,
                Clock.fixed(T0.plusSeconds(42), ZoneOffset.UTC));
        UsageReport r = m.report(io.ember.tenant.Tenant.ADMIN_ID, null, T0, null, Granularity.TOTAL);
        assertThat(r.to()).isEqualTo(T0.plusSeconds(42));
        assertThat(r.total().runningSeconds()).isEqualTo(42);
        assertThatThrownBy(() -> m.report(io.ember.tenant.Tenant.ADMIN_ID, null, T0.plusSeconds(50), null, Granularity.TOTAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before");
    }

    @Test
    void shouldReadThePriceTableFromTheDataDirectory(@TempDir Path dir) throws Exception {
        assertThat(PriceTable.load(dir)).isEqualTo(PriceTable.defaults());
        Files.writeString(dir.resolve(PriceTable.FILE), "{\"currency\":\"EUR\",\"vcpuSecond\":0.001,\"storageGibSecond\":\"0\"}");
        PriceTable p = PriceTable.load(dir);
        assertThat(p.currency()).isEqualTo("EUR");
        assertThat(p.vcpuSecond()).isEqualByComparingTo("0.001");
        assertThat(p.memoryGibSecond()).isEqualTo(PriceTable.defaults().memoryGibSecond());
        assertThat(p.storageGibSecond()).isEqualByComparingTo("0");
        Files.writeString(dir.resolve(PriceTable.FILE), "{\"vcpuSecond\":-1}");
        assertThatThrownBy(() -> PriceTable.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vcpuSecond must be >= 0");
        Files.writeString(dir.resolve(PriceTable.FILE), "[1]");
        assertThatThrownBy(() -> PriceTable.load(dir)).hasMessageContaining("JSON object");
    }

    @Test
    void aSizeBillsItsBaselineInFractionsOfAVcpu() {
        // size 512 for 3 s: 0.25 vCPU and 512 MiB billed a second, whatever the guest's 1 vCPU and 2048 MiB
        var sized = new UsageRecord("s", null, "RUNNING", T0, T0.plusMillis(3000), 1, 512, 0, 250);
        UsageReport.Figures f = UsageReport.of(List.of(sized), T0, T0.plusSeconds(60), Granularity.TOTAL, T0.plusSeconds(60), PRICES)
                .total();
        assertThat(f.runningSeconds()).isEqualTo(3);
        assertThat(f.vcpuSeconds()).isEqualByComparingTo("0.75");
        assertThat(f.memoryGibSeconds()).isEqualByComparingTo("1.5");
        assertThat(f.price()).isEqualByComparingTo("1.5"); // 0.75 * 1 + 1.5 * 0.5
    }
}
