package io.ember.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Refuses a signature seen before while it could still verify (inside the clock-skew window, both ways):
 * a captured request cannot be sent again. The official clients sign every attempt afresh (a new
 * invocation id and date), so a real retry never repeats a signature. Bounded: past {@code capacity}
 * live signatures, requests are refused (ThrottlingException) rather than remembered loosely.
 */
public final class ReplayGuard {
    private final int capacity;
    private final Duration window = SigV4.MAX_SKEW.multipliedBy(2);
    private final Set<String> seen = new HashSet<>();
    private final ArrayDeque<Entry> order = new ArrayDeque<>();

    private record Entry(String signature, Instant expires) {}

    public ReplayGuard(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code signature} (its hex), or throws SignatureRejected when it was seen in the window. */
    public synchronized void check(String signature, Instant now) {
        while (!order.isEmpty() && !order.peekFirst().expires().isAfter(now)) seen.remove(order.pollFirst().signature());
        if (seen.contains(signature)) {
            throw new SignatureRejected("InvalidSignatureException", "this signed request was already received: sign each request anew");
        }
        if (seen.size() >= capacity) {
            throw new SignatureRejected("ThrottlingException", "too many signed requests in the last " + window.toMinutes()
                    + " minutes; retry later");
        }
        seen.add(signature);
        order.addLast(new Entry(signature, now.plus(window)));
    }
}
