package io.ember.image;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The MicroVM sizes AWS Lambda MicroVMs offers (docs/images.md, "Sizes"): {@code resources[0].minimumMemoryInMiB}
 * names one of them, 2048 when {@code resources} is omitted. A size has a <em>baseline</em> (what is billed every
 * running second, and what the microVM is guaranteed under contention) and a <em>peak</em> four times larger, which the
 * guest is given from the start (it sees the peak's vCPUs and memory) and may burst into. The disk grows with the size.
 * The table is data, not {@code baseline * 4}: the service's figures, row by row.
 */
public enum SizeClass {
    MIB_512(512, 250, 1, 2048, 8),
    MIB_1024(1024, 500, 2, 4096, 8),
    MIB_2048(2048, 1000, 4, 8192, 8),
    MIB_4096(4096, 2000, 8, 16384, 16),
    MIB_8192(8192, 4000, 16, 32768, 32);

    /** AWS's default size, when a version names none. */
    public static final SizeClass DEFAULT = MIB_2048;

    /** {@code minimumMemoryInMiB}: the baseline memory, billed every running second. */
    public final int baselineMemoryMib;
    /** The baseline vCPUs in thousandths (0.25 vCPU = 250): billed every running second, guaranteed under contention. */
    public final int baselineVcpuMillis;
    /** What the guest is given: its vCPUs and memory, the most it can burst to. */
    public final int peakVcpus, peakMemoryMib;
    /** The size of the microVM's root disk, in GiB. */
    public final int diskGib;

    SizeClass(int baselineMemoryMib, int baselineVcpuMillis, int peakVcpus, int peakMemoryMib, int diskGib) {
        this.baselineMemoryMib = baselineMemoryMib;
        this.baselineVcpuMillis = baselineVcpuMillis;
        this.peakVcpus = peakVcpus;
        this.peakMemoryMib = peakMemoryMib;
        this.diskGib = diskGib;
    }

    /** The size whose {@code minimumMemoryInMiB} this is; empty when no size has it. */
    public static Optional<SizeClass> of(int minimumMemoryInMiB) {
        return Arrays.stream(values()).filter(c -> c.baselineMemoryMib == minimumMemoryInMiB).findFirst();
    }

    /** The size a version stored with {@code sizeMib} has; null (a version sized before sizes existed) is none. */
    public static Optional<SizeClass> ofStored(Integer sizeMib) {
        return sizeMib == null ? Optional.empty() : of(sizeMib);
    }

    /** "512, 1024, 2048, 4096 or 8192", for messages. */
    public static String choices() {
        String all = Arrays.stream(values()).map(c -> Integer.toString(c.baselineMemoryMib)).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }

    public long diskBytes() {
        return (long) diskGib << 30;
    }

    /** "2048 MiB (1 vCPU baseline, bursting to 4 vCPUs and 8192 MiB; 8 GiB disk)", for logs and messages. */
    public String describe() {
        return baselineMemoryMib + " MiB (" + vcpus(baselineVcpuMillis) + " baseline, bursting to " + peakVcpus + " vCPU"
                + (peakVcpus == 1 ? "" : "s") + " and " + peakMemoryMib + " MiB; " + diskGib + " GiB disk)";
    }

    private static String vcpus(int millis) {
        String n = java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
        return n + " vCPU" + (millis == 1000 ? "" : "s");
    }
}
