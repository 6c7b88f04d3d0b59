package io.ember.network;

import io.ember.egress.Cidr;

/**
 * Where slot {@code n} of a pool lives: the /29 at {@code pool + 8n}, split in two /30 links.
 * <pre>
 *   host netns                 microVM netns (ember-TAG-N)                 guest
 *   emTAG-N  .1/30  ── veth ──  eth0 .2/30      tap0 .5/30  ── virtio-net ──  eth0 .6/30
 * </pre>
 * Slot 0 is never used (its /29 holds the pool's network address).
 */
record AddressPlan(String tag, Cidr pool, int slot) {
    static final String TAP = "tap0", NS_VETH = "eth0";

    AddressPlan {
        if (slot < 1 || slot >= slots(pool)) throw new IllegalArgumentException("slot " + slot + " is outside the pool " + pool);
    }

    static int slots(Cidr pool) {
        return (int) (pool.size() / 8);
    }

    private int base() {
        return pool.address() + 8 * slot;
    }

    String namespace() {
        return "ember-" + tag + "-" + slot;
    }

    /** At most 15 characters: "em" + 4 + "-" + at most 4 hex digits. */
    String hostVeth() {
        return "em" + tag + "-" + Integer.toHexString(slot);
    }

    String hostAddress() {
        return Cidr.format(base() + 1);
    }

    String namespaceAddress() {
        return Cidr.format(base() + 2);
    }

    String gateway() {
        return Cidr.format(base() + 5);
    }

    String guest() {
        return Cidr.format(base() + 6);
    }

    String guestLink() {
        return Cidr.format(base() + 4) + "/30";
    }

    /** Locally administered, unicast, unique per slot and pool. */
    String mac() {
        int a = base() + 6;
        return String.format("02:eb:%02x:%02x:%02x:%02x", a >>> 24, a >>> 16 & 255, a >>> 8 & 255, a & 255);
    }
}
