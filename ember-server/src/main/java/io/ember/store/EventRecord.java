package io.ember.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One lifecycle transition of a microVM.
 *
 * @param fromState null for the first event (creation)
 * @param cause what made it happen (USER, BOOT, FAILURE, LIFETIME, IDLE, REQUEST, RECONCILE, HOOK); a HOOK event
 *     moves nothing (fromState = toState)
 */
public record EventRecord(String microvmId, Instant at, String fromState, String toState, String cause, String message) {
    public EventRecord {
        Objects.requireNonNull(microvmId, "microvmId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(toState, "toState");
        Objects.requireNonNull(cause, "cause");
    }
}
