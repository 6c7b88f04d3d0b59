package io.ember.microvm;

/**
 * The lifecycle states of the Lambda MicroVMs model, with the transitions allowed between them:
 *
 * <pre>
 *   PENDING ──────► RUNNING ──────► TERMINATING ──────► TERMINATED
 *     │  │            │                                  ▲  ▲
 *     │  │            └──────────── failure ─────────────┘  │
 *     │  └───────────────────────── failure ────────────────┘
 *     └──► TERMINATING (terminated while booting)
 * </pre>
 *
 * PENDING → RUNNING | TERMINATING | TERMINATED; RUNNING → TERMINATING | TERMINATED;
 * TERMINATING → TERMINATED; TERMINATED is final. SUSPENDING and SUSPENDED are in the model and
 * come with the snapshot issue: no transition reaches them yet.
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
            case PENDING -> next == RUNNING || next == TERMINATING || next == TERMINATED;
            case RUNNING -> next == TERMINATING || next == TERMINATED;
            case TERMINATING -> next == TERMINATED;
            case SUSPENDING, SUSPENDED, TERMINATED -> false;
        };
    }
}
