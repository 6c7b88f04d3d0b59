package io.ember.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses a signature seen before while it could still verify (inside the clock-skew window, both ways): a captured
 * request cannot be sent again, before or after a restart. The official clients sign every attempt afresh (a new
 * invocation id and date), so a real retry never repeats a signature.
 *
 * <p>Signatures are kept per tenant in a {@link Ledger} (the store), which is what says whether one was seen; memory
 * holds only when each tenant's live ones expire, to bound them: past {@code capacityPerTenant} live signatures a
 * tenant's state-changing requests are refused (ThrottlingException) rather than remembered loosely, and that tenant
 * only is refused. Expired signatures are swept from the ledger at most once a {@link #SWEEP_EVERY}.
 */
public final class ReplayGuard {
    /** How long a signature is kept: it verifies while its date is within the skew of the clock, either way. */
    public static final Duration WINDOW = SigV4.MAX_SKEW.multipliedBy(2);
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** Where signatures are remembered (the store), so that a restart forgets none. */
    public interface Ledger {
        /** Remembers the signature until {@code expires}; false when the tenant's ledger has it, unexpired at {@code now}. */
        boolean record(String tenantId, String signature, Instant now, Instant expires);

        /** Forgets those expired at {@code now}. */
        void sweep(Instant now);

        /** The expiries of the live signatures, per tenant, oldest first (read once, at start). */
        Map<String, List<Instant>> live(Instant now);
    }

    private final int capacityPerTenant;
    private final Ledger ledger;
    private final Map<String, ArrayDeque<Instant>> expiries = new HashMap<>();
    private Instant lastSweep = Instant.MIN;

    public ReplayGuard(int capacityPerTenant, Ledger ledger, Instant now) {
        this.capacityPerTenant = capacityPerTenant;
        this.ledger = ledger;
        ledger.sweep(now);
        ledger.live(now).forEach((tenant, list) -> expiries.put(tenant, new ArrayDeque<>(list)));
        lastSweep = now;
    }

    /** Records {@code signature} (its hex) for {@code tenantId}, or throws SignatureRejected when it was seen in the window. */
    public void check(String tenantId, String signature, Instant now) {
        boolean sweep;
        synchronized (this) {
            sweep = !now.isBefore(lastSweep.plus(SWEEP_EVERY));
            if (sweep) {
                lastSweep = now;
                expiries.values().forEach(q -> expire(q, now));
                expiries.values().removeIf(ArrayDeque::isEmpty);
            }
        }
        if (sweep) ledger.sweep(now); // outside this lock: the others' checks go on meanwhile
        record(tenantId, signature, now);
    }

    private synchronized void record(String tenantId, String signature, Instant now) {
        ArrayDeque<Instant> mine = expiries.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
        expire(mine, now);
        if (mine.size() >= capacityPerTenant) {
            throw new SignatureRejected("ThrottlingException", "this tenant sent " + capacityPerTenant
                    + " state-changing requests in the last " + WINDOW.toMinutes() + " minutes; retry later");
        }
        if (!ledger.record(tenantId, signature, now, now.plus(WINDOW))) {
            throw new SignatureRejected("InvalidSignatureException", "this signed request was already received: sign each request anew");
        }
        mine.addLast(now.plus(WINDOW));
    }

    private static void expire(ArrayDeque<Instant> q, Instant now) {
        while (!q.isEmpty() && !q.peekFirst().isAfter(now)) q.pollFirst();
    }
}
