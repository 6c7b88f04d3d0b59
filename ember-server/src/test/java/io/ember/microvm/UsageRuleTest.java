package io.ember.microvm;

import static io.ember.microvm.MicrovmState.PENDING;
import static io.ember.microvm.MicrovmState.RUNNING;
import static io.ember.microvm.MicrovmState.SUSPENDED;
import static io.ember.microvm.MicrovmState.SUSPENDING;
import static io.ember.microvm.MicrovmState.TERMINATED;
import static io.ember.microvm.MicrovmState.TERMINATING;
import static org.assertj.core.api.Assertions.assertThat;

import io.ember.metering.UsageKind;
import io.ember.store.UsageChange;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageRuleTest {
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    static UsageChange change(MicrovmState from, MicrovmState to) {
        return UsageRule.change("vm", AT, from, to, UsageRule.Billed.of(2, 512, null), 4096);
    }

    @Test
    void shouldBillComputeWhileAVmmMayRunAndDiskOnlyWhileSuspended() {
        assertThat(UsageRule.kind(null, PENDING)).isEqualTo(UsageKind.RUNNING);
        assertThat(UsageRule.kind(PENDING, RUNNING)).isEqualTo(UsageKind.RUNNING);
        assertThat(UsageRule.kind(RUNNING, SUSPENDING)).isEqualTo(UsageKind.RUNNING);
        assertThat(UsageRule.kind(SUSPENDING, SUSPENDED)).isEqualTo(UsageKind.SUSPENDED);
        assertThat(UsageRule.kind(SUSPENDED, PENDING)).isEqualTo(UsageKind.RUNNING);
        assertThat(UsageRule.kind(RUNNING, TERMINATING)).isEqualTo(UsageKind.RUNNING);
        assertThat(UsageRule.kind(SUSPENDED, TERMINATING)).isEqualTo(UsageKind.SUSPENDED);
        assertThat(UsageRule.kind(RUNNING, TERMINATED)).isNull();
    }

    @Test
    void shouldGoOnWhileTheKindStaysAndSwitchWhenItChanges() {
        assertThat(change(PENDING, RUNNING)).isEqualTo(UsageChange.NONE);
        assertThat(change(RUNNING, SUSPENDING)).isEqualTo(UsageChange.NONE);
        assertThat(change(SUSPENDING, RUNNING)).isEqualTo(UsageChange.NONE);
        assertThat(change(SUSPENDED, TERMINATING)).isEqualTo(UsageChange.NONE);
        assertThat(change(RUNNING, TERMINATING)).isEqualTo(UsageChange.NONE);

        UsageChange sleep = change(SUSPENDING, SUSPENDED);
        assertThat(sleep.close()).isTrue();
        assertThat(sleep.open().kind()).isEqualTo("SUSPENDED");
        assertThat(sleep.open().diskBytes()).isEqualTo(4096);
        assertThat(sleep.open().start()).isEqualTo(AT);

        UsageChange wake = change(SUSPENDED, PENDING);
        assertThat(wake.close()).isTrue();
        assertThat(wake.open().kind()).isEqualTo("RUNNING");
        assertThat(wake.open().vcpus()).isEqualTo(2);
        assertThat(wake.open().memoryMib()).isEqualTo(512);
        assertThat(wake.open().vcpuMillis()).as("without a size, all of its vCPUs").isEqualTo(2000);
        assertThat(wake.open().diskBytes()).as("a running VM's disk is not billed").isZero();

        assertThat(change(PENDING, SUSPENDED).open().kind()).as("a failed resume sleeps on").isEqualTo("SUSPENDED");
        for (MicrovmState from : new MicrovmState[] {PENDING, RUNNING, SUSPENDING, SUSPENDED, TERMINATING}) {
            assertThat(change(from, TERMINATED)).isEqualTo(UsageChange.closeOnly());
        }
    }

    @Test
    void shouldMeasureTheDiskOnlyWhenASuspendedIntervalOpens() {
        assertThat(UsageRule.opens(SUSPENDING, SUSPENDED)).isTrue();
        assertThat(UsageRule.opens(PENDING, SUSPENDED)).isTrue();
        assertThat(UsageRule.opens(SUSPENDED, TERMINATING)).isFalse();
        assertThat(UsageRule.opens(null, PENDING)).isTrue();
        assertThat(UsageRule.opens(RUNNING, TERMINATED)).isFalse();
    }

    @Test
    void aSizeBillsItsBaselineWhateverTheGuestWasGivenToBurstInto() {
        // size 1024: the guest has 2 vCPUs and 4096 MiB; a running second bills 0.5 vCPU and 1024 MiB
        UsageRule.Billed b = UsageRule.Billed.of(2, 4096, io.ember.image.SizeClass.MIB_1024);
        UsageChange wake = UsageRule.change("vm", AT, SUSPENDED, PENDING, b, 0);
        assertThat(wake.open().vcpus()).isEqualTo(2);
        assertThat(wake.open().vcpuMillis()).isEqualTo(500);
        assertThat(wake.open().memoryMib()).isEqualTo(1024);
        UsageChange sleep = UsageRule.change("vm", AT, SUSPENDING, SUSPENDED, b, 9000);
        assertThat(sleep.open().diskBytes()).as("suspended: its disk only, as without a size").isEqualTo(9000);
    }
}
