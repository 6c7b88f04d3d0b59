package io.ember.agent;

import java.util.regex.Pattern;

/**
 * What the guest configures on its NIC (eth0). The agent does it: on a cold boot from the kernel word
 * {@code ember.net=ADDRESS/PREFIX,GATEWAY,DNS} (the MAC is the device's own, set by the VMM), after a restore from
 * the NET field of RESTORED (docs/agent-protocol.md), where the MAC changes too: every clone of an image gets its own.
 *
 * @param address the guest's IPv4 address
 * @param prefix its prefix length, 1 to 31
 * @param gateway the default route's next hop (the host's end of the tap)
 * @param dns the one nameserver written to the guest's resolv.conf
 * @param mac the NIC's MAC, {@code xx:xx:xx:xx:xx:xx} in lower-case hex; unicast (the first octet even)
 */
public record GuestNet(String address, int prefix, String gateway, String dns, String mac) {
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern MAC = Pattern.compile("[0-9a-f][02468ace](:[0-9a-f]{2}){5}");

    public GuestNet {
        ipv4("address", address);
        ipv4("gateway", gateway);
        ipv4("dns", dns);
        if (prefix < 1 || prefix > 31) throw new IllegalArgumentException("prefix must be 1 to 31, not " + prefix);
        if (mac == null || !MAC.matcher(mac).matches())
            throw new IllegalArgumentException("mac must be a unicast xx:xx:xx:xx:xx:xx in lower-case hex, not '" + mac + "'");
        if (mac.equals("00:00:00:00:00:00")) throw new IllegalArgumentException("mac must not be all zeros");
    }

    /** The kernel word's value: {@code ADDRESS/PREFIX,GATEWAY,DNS} (also RESTORED's NET field, with the MAC after it). */
    public String word() {
        return address + "/" + prefix + "," + gateway + "," + dns;
    }

    /** RESTORED's NET field: {@code ADDRESS/PREFIX,GATEWAY,DNS,MAC}. */
    String restoredField() {
        return word() + "," + mac;
    }

    static void ipv4(String what, String value) {
        if (value == null || !IPV4.matcher(value).matches())
            throw new IllegalArgumentException(what + " must be a dotted IPv4 address, not '" + value + "'");
    }
}
