package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reliability benchmarks' arithmetic and labels (pure logic; the benchmarks themselves print, never assert). */
class FiguresTest {

    @Test
    void percentileIsTheNearestRank() {
        List<Double> hundred = new java.util.ArrayList<>();
        for (int i = 100; i >= 1; i--) hundred.add((double) i);
        assertThat(Figures.percentile(hundred, 99)).isEqualTo(99.0);
        assertThat(Figures.percentile(hundred, 50)).isEqualTo(50.0);
        assertThat(Figures.percentile(hundred, 100)).isEqualTo(100.0);
        assertThat(Figures.percentile(List.of(7.0, 3.0), 99)).isEqualTo(7.0);
        assertThat(Figures.percentile(List.of(7.0), 0)).isEqualTo(7.0);
        assertThat(Figures.percentile(List.of(), 99)).isNaN();
    }

    @Test
    void outcomesCountTogetherWhateverTheIdsAndPaths() {
        String a = CrashOutcome.shorten("Resume failed: mvm-5223a7efa74f /tmp/ember-crash-1/data/vms/x: gone");
        String b = CrashOutcome.shorten("Resume failed: mvm-0123 /tmp/ember-crash-2/data/vms/y: gone");
        assertThat(a).isEqualTo(b).isEqualTo("Resume failed: mvm-… …: gone");
        assertThat(CrashOutcome.shorten("x".repeat(500))).hasSize(141);
    }

    @Test
    void onlyTheThreeAllowedOutcomesAreGood() {
        assertThat(CrashOutcome.good(CrashOutcome.RUNNING)).isTrue();
        assertThat(CrashOutcome.good(CrashOutcome.SUSPENDED)).isTrue();
        assertThat(CrashOutcome.good(CrashOutcome.TERMINATED)).isTrue();
        assertThat(CrashOutcome.good("stuck in SUSPENDING after 120 s")).isFalse();
        assertThat(CrashOutcome.good("RUNNING although its VMM was dead, TERMINATED soon after")).isFalse();
    }
}
