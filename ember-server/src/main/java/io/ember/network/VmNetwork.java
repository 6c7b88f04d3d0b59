package io.ember.network;

import io.ember.agent.GuestNet;
import io.ember.vmm.Nic;
import java.nio.file.Path;

/**
 * One microVM's network as the VMM layer needs it.
 *
 * @param namespace the microVM's network namespace file (the VMM's jail joins it; QEMU opens {@code tap} there)
 * @param tap the tap device's name inside the namespace
 * @param gatewayCidr the tap's own address, the guest's gateway ("a.b.c.d/30")
 * @param guest the guest's address (prefix {@code prefix}), {@code gateway}, {@code dns} (169.254.169.253) and {@code mac}
 */
public record VmNetwork(Path namespace, String tap, String gatewayCidr, String guest, int prefix, String gateway,
                        String dns, String mac) {

    /** The VMM's network device on this network. */
    public Nic nic() {
        return new Nic(namespace, tap, gatewayCidr, guestNet());
    }

    /** What the guest configures (the kernel word at a cold boot, RESTORED after a restore). */
    public GuestNet guestNet() {
        return new GuestNet(guest, prefix, gateway, dns, mac);
    }
}
