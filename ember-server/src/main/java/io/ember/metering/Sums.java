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

    static final int VCPU_SECONDS_SCALE = 3;
    long runningMs;
    /** vCPU thousandths × milliseconds: a size's baseline is a fraction of a vCPU. */
    BigInteger vcpuMillisMs = BigInteger.ZERO;
    BigInteger memoryMibMs = BigInteger.ZERO;
    long suspendedMs;
    BigInteger storageByteMs = BigInteger.ZERO;

    void add(UsageKind kind, long ms, int vcpuMillis, int memoryMib, long diskBytes) {
        switch (kind) {
            case RUNNING -> {
                runningMs += ms;
                vcpuMillisMs = vcpuMillisMs.add(BigInteger.valueOf(ms).multiply(BigInteger.valueOf(vcpuMillis)));
                memoryMibMs = memoryMibMs.add(BigInteger.valueOf(ms).multiply(BigInteger.valueOf(memoryMib)));
            }
            case SUSPENDED -> {
                suspendedMs += ms;
                storageByteMs = storageByteMs.add(BigInteger.valueOf(ms).multiply(BigInteger.valueOf(diskBytes)));
            }
        }
    }

    /**
     * Rounded once, half up: seconds to whole seconds, vCPU-seconds to 3 decimals (a quarter vCPU bills 0.25 a second),
     * GiB-seconds to 6; priced from those figures.
     */
    UsageReport.Figures figures(PriceTable prices) {
        BigDecimal vcpuSeconds = new BigDecimal(vcpuMillisMs).divide(BigDecimal.valueOf(1_000_000), VCPU_SECONDS_SCALE,
                RoundingMode.HALF_UP);
        BigDecimal gib = gibSeconds(memoryMibMs, MIB_MS_PER_GIB_SECOND);
        BigDecimal storage = gibSeconds(storageByteMs, BYTE_MS_PER_GIB_SECOND);
        BigDecimal price = prices.vcpuSecond().multiply(vcpuSeconds)
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
