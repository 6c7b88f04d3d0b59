package io.ember.microvm;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle policy, checked every tick: a RUNNING microVM without requests for maxIdleDurationSeconds
 * is suspended; a SUSPENDED one asleep for suspendedDurationSeconds is terminated (0, as AWS documents it: at
 * the first tick after it was suspended).
 */
final class IdleWatch {
    private static final Logger log = LoggerFactory.getLogger(IdleWatch.class);

    private final Engine engine;
    private final Suspension suspension;
    /** Throws QUOTA_EXCEEDED when the tenant's suspended quotas have no room for {@code m}. */
    private final java.util.function.Consumer<Machine> admitSuspension;

    IdleWatch(Engine engine, Suspension suspension, java.util.function.Consumer<Machine> admitSuspension) {
        this.engine = engine;
        this.suspension = suspension;
        this.admitSuspension = admitSuspension;
    }

    void start() {
        if (engine.snapshots == null) return; // nothing can be suspended; suspendedDuration needs a suspend first
        long tick = engine.settings.idleTick().toMillis();
        engine.idle.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** RUNNING with an idle limit, no request in flight, and quiet for at least the limit. */
    static boolean idleEnough(Machine m, long nowNanos) {
        IdlePolicy p = m.idlePolicy;
        return p != null && p.maxIdleDurationSeconds() > 0 && m.state == MicrovmState.RUNNING && m.active.get() == 0
                && nowNanos - m.lastActivity >= TimeUnit.SECONDS.toNanos(p.maxIdleDurationSeconds());
    }

    static boolean sleptEnough(Machine m, long nowMillis) {
        IdlePolicy p = m.idlePolicy;
        return p != null && p.suspendedDurationSeconds() >= 0 && m.state == MicrovmState.SUSPENDED
                && m.suspendedAtMillis > 0 && nowMillis - m.suspendedAtMillis >= p.suspendedDurationSeconds() * 1000L;
    }

    private void tick() {
        try {
            long nanos = System.nanoTime(), millis = System.currentTimeMillis();
            for (Machine m : engine.machines.values()) {
                if (m.lock.isLocked()) continue; // busy with a lifecycle step: look again next tick
                if (idleEnough(m, nanos)) {
                    String why = "no requests for " + m.idlePolicy.maxIdleDurationSeconds() + " s (idle policy)";
                    engine.tasks.execute(() -> engine.run(m, () -> suspendQuietly(m, why)));
                } else if (sleptEnough(m, millis)) {
                    String why = "Suspended for longer than suspendedDurationSeconds ("
                            + m.idlePolicy.suspendedDurationSeconds() + " s)";
                    engine.tasks.execute(() -> engine.run(m, () -> engine.terminate(m, Cause.IDLE, why)));
                }
            }
        } catch (RuntimeException e) {
            log.error("idle policy tick failed", e); // a scheduled task that throws is never run again
        }
    }

    private void suspendQuietly(Machine m, String why) {
        try {
            admitSuspension.accept(m);
        } catch (MicrovmException e) {
            // Over the tenant's suspended quotas (recorded as its event): it stays RUNNING, still charged, and is
            // looked at again after another idle period rather than at every tick.
            m.touch();
            log.info("{}: idle suspend refused: {}", m.id, e.getMessage());
            return;
        }
        try {
            suspension.suspend(m, Cause.IDLE, why, true);
        } catch (MicrovmException e) {
            log.warn("{}: idle suspend failed: {}", m.id, e.getMessage());
        }
    }
}
