package io.ember.microvm;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * How a request gets a microVM's guest ({@link Microvms#use}): waits while it boots or resumes, for a suspend under
 * way to end, and wakes it when SUSPENDED, all within the request's own deadline. Nothing here waits on slow work
 * under the machine's lock (the lock covers decisions only): a hook that hangs holds a request at most until its
 * deadline, which then gets CONFLICT saying what the microVM is still doing.
 */
final class Leases {
    private final Engine engine;
    private final Suspension suspension;

    Leases(Engine engine, Suspension suspension) {
        this.engine = engine;
        this.suspension = suspension;
    }

    /** A lease on the guest of microVM {@code id}; {@code gone} is the error when it has no machine (TERMINATED). */
    GuestLease take(String id, Duration wait, Supplier<MicrovmException> gone) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Machine m = engine.machines.get(id);
            if (m == null) throw gone.get();
            if (!lock(m, deadline)) throw stillBusy(m, wait);
            try {
                if (m.state == MicrovmState.RUNNING && m.agent != null) {
                    m.active.incrementAndGet();
                    m.touch();
                    return new GuestLease(engine, m, m.agent);
                }
            } finally {
                m.lock.unlock();
            }
            switch (m.state) {
                case SUSPENDING, SUSPENDED -> {
                    IdlePolicy p = m.idlePolicy;
                    if (p != null && !p.autoResumeEnabled()) {
                        throw new MicrovmException(MicrovmException.Kind.CONFLICT, "microVM " + m.id + " is "
                                + m.state + " and its idle policy has autoResumeEnabled=false: call ResumeMicrovm first",
                                "Microvm", m.id);
                    }
                    if (m.state == MicrovmState.SUSPENDING) {
                        if (!m.awaitSettled(deadline)) throw stillBusy(m, wait); // the suspend ends, then it is woken
                    } else {
                        wake(m);
                    }
                }
                case PENDING, RUNNING -> awaitRunning(m, deadline, wait);
                default -> throw gone.get();
            }
        }
    }

    /**
     * Starts resuming a SUSPENDED microVM for a request (the limits are checked now, and refuse now); the restore and
     * its hook go on in the background, and the request waits for RUNNING with its own deadline.
     */
    private void wake(Machine m) {
        var step = suspension.begin(m, Cause.REQUEST, "a request needs the guest");
        if (step == null) return;
        engine.tasks.execute(() -> engine.run(m, () -> {
            try {
                suspension.finish(m, step);
            } catch (MicrovmException e) {
                // recorded, and handed to the requests waiting for it (Machine.running)
            }
        }));
    }

    private static boolean lock(Machine m, long deadline) {
        try {
            return m.lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "interrupted waiting for " + m.id);
        }
    }

    private static void awaitRunning(Machine m, long deadline, Duration wait) {
        try {
            m.running.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MicrovmException me) throw me;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw stillBusy(m, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "interrupted waiting for " + m.id);
        }
    }

    private static MicrovmException stillBusy(Machine m, Duration wait) {
        String after = wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s" : wait.toMillis() + " ms";
        return new MicrovmException(MicrovmException.Kind.CONFLICT, "microVM " + m.id + " is still " + m.state
                + " after " + after + " (the request's deadline); try again later", "Microvm", m.id);
    }
}
