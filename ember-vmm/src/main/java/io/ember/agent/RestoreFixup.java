package io.ember.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * What a guest must be told after it was restored from a snapshot (docs/agent-protocol.md, RESTORED):
 * the host's time, fresh entropy for the kernel's RNG, and, for a clone of an image snapshot, a new identity.
 *
 * @param now the host's wall-clock time, set as the guest's CLOCK_REALTIME
 * @param entropy 32 to 256 random bytes from the host, mixed into the kernel's pool before a forced reseed
 * @param hostname the guest's hostname from now on (null: keep it)
 * @param newIdentity true for a clone: /etc/machine-id (when the image has one) gets a new random id
 * @param net the guest's NIC from now on: MAC, address, default route and resolver (null: leave the network as it
 *     was). Needs an agent with the {@code restored-net} feature
 */
public record RestoreFixup(Instant now, byte[] entropy, String hostname, boolean newIdentity, GuestNet net) {
    public RestoreFixup {
        Objects.requireNonNull(now, "now");
        if (entropy == null || entropy.length < 32 || entropy.length > 256)
            throw new IllegalArgumentException("entropy must be 32 to 256 bytes");
        entropy = entropy.clone();
    }

    /** Without a network change. */
    public RestoreFixup(Instant now, byte[] entropy, String hostname, boolean newIdentity) {
        this(now, entropy, hostname, newIdentity, null);
    }
}
