package io.ember.e2e;

import io.ember.egress.Cidr;
import java.io.IOException;
import java.nio.file.Path;

/** A microVM address pool (/20 in 10.240.0.0/12) no other server of this test run uses: held by a file lock. */
final class TestPool implements AutoCloseable {
    final Cidr cidr;
    private final SlotLock slot;

    private TestPool(SlotLock slot) {
        this.slot = slot;
        int k = slot.index;
        this.cidr = Cidr.parse("10." + (240 + k / 16) + "." + (k % 16 * 16) + ".0/20");
    }

    static TestPool acquire() throws IOException {
        return new TestPool(SlotLock.first(Path.of("/tmp/ember-test-pools"), 256, "test address pool"));
    }

    @Override
    public void close() throws IOException {
        slot.close();
    }
}
