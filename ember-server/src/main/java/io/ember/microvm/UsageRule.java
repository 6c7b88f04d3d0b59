package io.ember.microvm;

import io.ember.metering.UsageKind;
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
    static UsageChange change(String id, Instant at, MicrovmState from, MicrovmState to, int vcpus, int memoryMib,
                              long diskBytes) {
        if (to == MicrovmState.TERMINATED) return UsageChange.closeOnly();
        if (!opens(from, to)) return UsageChange.NONE;
        return UsageChange.closeAndOpen(opening(id, at, kind(from, to), vcpus, memoryMib, diskBytes));
    }

    /** The interval a {@code kind} opens at {@code at}; a RUNNING one holds no disk bytes (its disk is not billed). */
    static UsageRecord opening(String id, Instant at, UsageKind kind, int vcpus, int memoryMib, long diskBytes) {
        return new UsageRecord(id, null, kind.name(), at, null, vcpus, memoryMib,
                kind == UsageKind.SUSPENDED ? diskBytes : 0);
    }
}
