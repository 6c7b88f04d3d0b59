package io.ember.microvm;

import io.ember.image.SizeClass;
import io.ember.metering.UsageKind;
import io.ember.store.MicrovmRecord;
import io.ember.store.UsageChange;
import io.ember.store.UsageRecord;
import java.time.Instant;

/**
 * Which states bill what (docs/metering.md). A state bills compute while a VMM process may hold the microVM's vCPUs
 * and memory: PENDING (booting or restoring), RUNNING, SUSPENDING (writing its snapshot). SUSPENDED bills its bytes
 * on disk only. TERMINATING bills as the state it left (a VMM being stopped, or a snapshot being removed);
 * TERMINATED bills nothing. Pure: the engine writes the change with the transition's event.
 */
final class UsageRule {
    private UsageRule() {}

    /** What {@code to} bills, reached from {@code from}; null: nothing. */
    static UsageKind kind(MicrovmState from, MicrovmState to) {
        return switch (to) {
            case PENDING, RUNNING, SUSPENDING -> UsageKind.RUNNING;
            case SUSPENDED -> UsageKind.SUSPENDED;
            case TERMINATING -> from == MicrovmState.SUSPENDED ? UsageKind.SUSPENDED : UsageKind.RUNNING;
            case TERMINATED -> null;
        };
    }

    /** Whether a move from {@code from} to {@code to} opens an interval (so the disk must be measured first). */
    static boolean opens(MicrovmState from, MicrovmState to) {
        UsageKind next = kind(from, to);
        return next != null && (from == null || next != kind(null, from));
    }

    /**
     * The change a transition makes; {@code diskBytes} is what the work directory holds, read only when it opens a
     * SUSPENDED interval. The interval goes on unchanged when the kind does not change (PENDING → RUNNING).
     */
    static UsageChange change(String id, Instant at, MicrovmState from, MicrovmState to, Billed billed, long diskBytes) {
        if (to == MicrovmState.TERMINATED) return UsageChange.closeOnly();
        if (!opens(from, to)) return UsageChange.NONE;
        return UsageChange.closeAndOpen(opening(id, at, kind(from, to), billed, diskBytes));
    }

    /** The interval a {@code kind} opens at {@code at}; a RUNNING one holds no disk bytes (its disk is not billed). */
    static UsageRecord opening(String id, Instant at, UsageKind kind, Billed billed, long diskBytes) {
        return new UsageRecord(id, null, kind.name(), at, null, billed.vcpus, billed.memoryMib,
                kind == UsageKind.SUSPENDED ? diskBytes : 0, billed.vcpuMillis);
    }

    /**
     * What a running second bills, as AWS bills a size (docs/metering.md): its baseline vCPUs and memory, whatever the
     * guest was given to burst into; without a size (a managed image, a version sized before sizes), all of the VMM's.
     *
     * @param vcpus the VMM's vCPUs (kept with the interval)
     */
    record Billed(int vcpus, int vcpuMillis, int memoryMib) {
        static Billed of(int vcpus, int memoryMib, SizeClass size) {
            return size == null ? new Billed(vcpus, vcpus * 1000, memoryMib)
                    : new Billed(vcpus, size.baselineVcpuMillis, size.baselineMemoryMib);
        }

        static Billed of(MicrovmRecord r) {
            return of(r.vcpus(), r.memoryMib(), SizeClass.ofStored(r.sizeMib()).orElse(null));
        }
    }
}
