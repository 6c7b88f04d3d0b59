package io.ember.testing;

import java.util.concurrent.CountDownLatch;

final class Gates {
    private Gates() {}

    /** Waits for {@code gate} through interrupts (counting each down {@code interrupted}), then restores the status. */
    static void awaitUninterruptibly(CountDownLatch gate, CountDownLatch interruptedSignal) {
        boolean interrupted = false;
        while (true) {
            try {
                gate.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                interruptedSignal.countDown();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
