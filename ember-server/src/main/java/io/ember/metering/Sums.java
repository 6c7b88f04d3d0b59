package io.ember.metering;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Exact usage in milliseconds, summed before any rounding. Memory and disk products overflow a long (GiB of disk
 * for months), so they are BigIntegers.
 */
final class Sums {
    private static final BigInteger MIB_MS_PER_GIB_SECOND = BigInteger.valueOf(1024L * 1000);
    private static final BigInteger BYTE_MS_PER_GIB_SECOND = BigInteger.valueOf((1L << 30) * 1000);
    static final int GIB_SECONDS_SCALE = 6;
    static final int PRICE_SCALE = 10;

    long runningMs;
    long vcpuMs;
    BigInteger memoryMibMs = BigInteger.ZERO;
    long suspendedMs;
    BigInteger storageByteMs = BigInteger.ZERO;

    void add(UsageKind kind, long ms, int vcpus, int memoryMib, long diskBytes) {
        switch (kind) {
            case RUNNING -> {
                runningMs += ms;
                vcpuMs += ms * vcpus;
                memoryMibMs = memoryMibMs.add(BigInteger.valueOf(ms).multiply(BigInteger.valueOf(memoryMib)));
            }
            case SUSPENDED -> {
                suspendedMs += ms;
                storageByteMs = storageByteMs.add(BigInteger.valueOf(ms).multiply(BigInteger.valueOf(diskBytes)));
            }
        }
    }

    /** Rounded once, half up: seconds to whole seconds, GiB-seconds to 6 decimals; priced from those figures. */
    UsageReport.Figures figures(PriceTable prices) {
        long vcpuSeconds = seconds(vcpuMs);
        BigDecimal gib = gibSeconds(memoryMibMs, MIB_MS_PER_GIB_SECOND);
        BigDecimal storage = gibSeconds(storageByteMs, BYTE_MS_PER_GIB_SECOND);
        BigDecimal price = prices.vcpuSecond().multiply(BigDecimal.valueOf(vcpuSeconds))
                .add(prices.memoryGibSecond().multiply(gib))
                .add(prices.storageGibSecond().multiply(storage))
                .setScale(PRICE_SCALE, RoundingMode.HALF_UP);
        return new UsageReport.Figures(seconds(runningMs), vcpuSeconds, gib, seconds(suspendedMs), storage, price);
    }

    static long seconds(long ms) {
        return Math.floorDiv(ms + 500, 1000);
    }

    private static BigDecimal gibSeconds(BigInteger units, BigInteger perGibSecond) {
        return new BigDecimal(units).divide(new BigDecimal(perGibSecond), GIB_SECONDS_SCALE, RoundingMode.HALF_UP);
    }
}
