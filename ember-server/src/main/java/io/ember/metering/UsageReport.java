package io.ember.metering;

import io.ember.store.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Usage over [from, to), per microVM and period and in total, priced (docs/metering.md). Pure: intervals are clipped
 * to the period (an open one runs until {@code now}), split at UTC hour or day bounds, summed in milliseconds per
 * answer row, then rounded once.
 */
public record UsageReport(Instant from, Instant to, Granularity granularity, PriceTable prices,
                          List<MicrovmUsage> microvms, List<Period> periods, Figures total) {

    public UsageReport {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** At most this many hour or day periods in one report. */
    public static final int MAX_PERIODS = 10_000;

    /** Whole seconds and GiB-seconds, and their price. */
    public record Figures(long runningSeconds, BigDecimal vcpuSeconds, BigDecimal memoryGibSeconds, long suspendedSeconds,
                          BigDecimal storageGibSeconds, BigDecimal price) {}

    public record Period(Instant start, Instant end, Figures figures) {}

    /** @param tenantId null until tenants exist */
    public record MicrovmUsage(String microvmId, String tenantId, List<Period> periods, Figures total) {}

    /** Why [from, to) cannot be reported at {@code granularity}, or null when it can. */
    public static String invalid(Instant from, Instant to, Granularity granularity) {
        if (!from.isBefore(to)) return "from must be before to";
        if (granularity.millis > 0) {
            long periods = Duration.between(from, to).toMillis() / granularity.millis + 2;
            if (periods > MAX_PERIODS) {
                return "at most " + MAX_PERIODS + " periods per report: ask for a shorter span or a coarser granularity";
            }
        }
        return null;
    }

    public static UsageReport of(List<UsageRecord> rows, Instant from, Instant to, Granularity granularity,
                                 Instant now, PriceTable prices) {
        String why = invalid(from, to, granularity);
        if (why != null) throw new IllegalArgumentException(why);
        long lo = from.toEpochMilli();
        long hi = to.toEpochMilli();
        Map<String, Acc> perVm = new LinkedHashMap<>();
        TreeMap<Long, Sums> all = new TreeMap<>();
        Sums total = new Sums();
        for (UsageRecord r : rows) {
            long start = Math.max(r.start().toEpochMilli(), lo);
            long end = Math.min(r.end() == null ? now.toEpochMilli() : r.end().toEpochMilli(), hi);
            if (end <= start) continue;
            UsageKind kind = UsageKind.valueOf(r.kind());
            Acc vm = perVm.computeIfAbsent(r.microvmId(), id -> new Acc(r.tenantId()));
            long at = start;
            while (at < end) {
                long bucket = granularity.millis == 0 ? lo : Math.floorDiv(at, granularity.millis) * granularity.millis;
                long pieceEnd = granularity.millis == 0 ? end : Math.min(end, bucket + granularity.millis);
                long ms = pieceEnd - at;
                vm.periods.computeIfAbsent(bucket, b -> new Sums()).add(kind, ms, r.vcpuMillis(), r.memoryMib(), r.diskBytes());
                vm.total.add(kind, ms, r.vcpuMillis(), r.memoryMib(), r.diskBytes());
                all.computeIfAbsent(bucket, b -> new Sums()).add(kind, ms, r.vcpuMillis(), r.memoryMib(), r.diskBytes());
                total.add(kind, ms, r.vcpuMillis(), r.memoryMib(), r.diskBytes());
                at = pieceEnd;
            }
        }
        List<MicrovmUsage> vms = new ArrayList<>();
        perVm.forEach((id, acc) -> vms.add(new MicrovmUsage(id, acc.tenantId, periods(acc.periods, lo, hi, granularity,
                prices), acc.total.figures(prices))));
        return new UsageReport(from, to, granularity, prices, List.copyOf(vms), periods(all, lo, hi, granularity, prices),
                total.figures(prices));
    }

    private static List<Period> periods(TreeMap<Long, Sums> buckets, long lo, long hi, Granularity g, PriceTable prices) {
        List<Period> out = new ArrayList<>();
        buckets.forEach((start, sums) -> out.add(new Period(Instant.ofEpochMilli(Math.max(start, lo)),
                Instant.ofEpochMilli(g.millis == 0 ? hi : Math.min(start + g.millis, hi)), sums.figures(prices))));
        return List.copyOf(out);
    }

    private static final class Acc {
        final String tenantId;
        final TreeMap<Long, Sums> periods = new TreeMap<>();
        final Sums total = new Sums();

        Acc(String tenantId) {
            this.tenantId = tenantId;
        }
    }
}
