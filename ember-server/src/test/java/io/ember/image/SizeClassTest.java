package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The sizes AWS Lambda MicroVMs offers, as data (docs/images.md, "Sizes"). */
class SizeClassTest {
    @Test
    void theFiveSizesWithTheirBaselinePeakAndDisk() {
        assertThat(Arrays.stream(SizeClass.values()).map(c -> c.baselineMemoryMib + " MiB " + c.baselineVcpuMillis + " mvCPU -> "
                + c.peakVcpus + " vCPU " + c.peakMemoryMib + " MiB, " + c.diskGib + " GiB").toList()).containsExactly(
                "512 MiB 250 mvCPU -> 1 vCPU 2048 MiB, 8 GiB",
                "1024 MiB 500 mvCPU -> 2 vCPU 4096 MiB, 8 GiB",
                "2048 MiB 1000 mvCPU -> 4 vCPU 8192 MiB, 8 GiB",
                "4096 MiB 2000 mvCPU -> 8 vCPU 16384 MiB, 16 GiB",
                "8192 MiB 4000 mvCPU -> 16 vCPU 32768 MiB, 32 GiB");
        assertThat(SizeClass.DEFAULT).isEqualTo(SizeClass.MIB_2048);
        // AWS's per-microVM limits: 16 vCPUs and 32 GB at most
        assertThat(Arrays.stream(SizeClass.values()).mapToInt(c -> c.peakVcpus).max()).hasValue(16);
        assertThat(SizeClass.MIB_8192.diskBytes()).isEqualTo(32L << 30);
    }

    @Test
    void onlyTheOfferedMemoriesNameASize() {
        assertThat(SizeClass.of(1024)).contains(SizeClass.MIB_1024);
        for (int m : new int[] {0, 128, 256, 511, 513, 1536, 3072, 16384, -2048}) assertThat(SizeClass.of(m)).as("%d", m).isEmpty();
        assertThat(SizeClass.ofStored(null)).as("a version sized before sizes").isEmpty();
        assertThat(SizeClass.ofStored(4096)).contains(SizeClass.MIB_4096);
        assertThat(SizeClass.choices()).isEqualTo("512, 1024, 2048, 4096 or 8192");
        assertThat(SizeClass.MIB_512.describe()).isEqualTo("512 MiB (0.25 vCPUs baseline, bursting to 1 vCPU and 2048 MiB; 8 GiB disk)");
        assertThat(SizeClass.MIB_2048.describe()).isEqualTo("2048 MiB (1 vCPU baseline, bursting to 4 vCPUs and 8192 MiB; 8 GiB disk)");
    }
}
