package io.ember.vmm;

import io.ember.agent.GuestNet;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A VM's network device: a {@code virtio-net-device} on a tap in a network namespace (docs/vmm.md, "Network").
 * The driver recreates the tap before each start, owned by the VM's uid; the namespace, its routes and firewall
 * are the caller's.
 *
 * @param netns the network namespace file ({@code /run/netns/NAME}); null: the device is attached to nothing (a
 *     restore where networking is off keeps the device the snapshot has, but it carries no traffic)
 * @param tap the tap's name inside {@code netns}: 1 to 15 of letters, digits, '_', '.', '-'
 * @param gatewayCidr the tap's own address with its prefix ("10.250.0.5/30"): the guest's gateway
 * @param guest what the guest configures on its side
 */
public record Nic(Path netns, String tap, String gatewayCidr, GuestNet guest) {
    private static final Pattern TAP = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern CIDR = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}/([1-9]|[12][0-9]|3[01])");

    public Nic {
        Objects.requireNonNull(guest, "guest");
        if (guest.mac().equals(Taps.GATEWAY_MAC))
            throw new IllegalArgumentException("the guest's mac must not be " + Taps.GATEWAY_MAC + ", the host end's");
        if (netns != null) {
            if (!netns.isAbsolute()) throw new IllegalArgumentException("netns must be an absolute path, not " + netns);
            netns = netns.normalize();
            if (tap == null || !TAP.matcher(tap).matches() || tap.equals(".") || tap.equals(".."))
                throw new IllegalArgumentException("tap must be 1 to 15 of letters, digits, '_', '.', '-', not '" + tap + "'");
            if (gatewayCidr == null || !CIDR.matcher(gatewayCidr).matches())
                throw new IllegalArgumentException("gatewayCidr must be ADDRESS/PREFIX (IPv4), not '" + gatewayCidr + "'");
        }
    }

    /** A device attached to nothing: the guest sees a NIC (as its snapshot had), no frame goes anywhere. */
    public static Nic detached(GuestNet guest) {
        return new Nic(null, null, null, guest);
    }

    /** The device is on a tap in a namespace. */
    public boolean attached() {
        return netns != null;
    }
}
