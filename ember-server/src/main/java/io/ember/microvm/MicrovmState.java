package io.ember.microvm;

/**
 * The lifecycle states of the Lambda MicroVMs model, with the transitions allowed between them:
 *
 * <pre>
 *   PENDING ──► RUNNING ──► SUSPENDING ──► SUSPENDED ──► PENDING (resume) ──► RUNNING ...
 *                 ▲            │              │
 *                 └─ save failed              │
 *   any live state ──► TERMINATING ──► TERMINATED (also directly, on a failure)
 * </pre>
 *
 * PENDING → RUNNING | SUSPENDED (a resume failed before its snapshot was touched) | TERMINATING | TERMINATED;
 * RUNNING → SUSPENDING | TERMINATING | TERMINATED;
 * SUSPENDING → SUSPENDED | RUNNING (the save failed and the guest went on) | TERMINATED;
 * SUSPENDED → PENDING (resume) | TERMINATING | TERMINATED; TERMINATING → TERMINATED; TERMINATED is final.
 * A resume goes through PENDING: the VMM is starting again and requests wait as they do during a boot.
 */
public enum MicrovmState {
    PENDING,
    RUNNING,
    SUSPENDING,
    SUSPENDED,
    TERMINATING,
    TERMINATED;

    public boolean canMoveTo(MicrovmState next) {
        return switch (this) {
            case PENDING -> next == RUNNING || next == SUSPENDED || next == TERMINATING || next == TERMINATED;
            case RUNNING -> next == SUSPENDING || next == TERMINATING || next == TERMINATED;
            case SUSPENDING -> next == SUSPENDED || next == RUNNING || next == TERMINATED;
            case SUSPENDED -> next == PENDING || next == TERMINATING || next == TERMINATED;
            case TERMINATING -> next == TERMINATED;
            case TERMINATED -> false;
        };
    }
}
