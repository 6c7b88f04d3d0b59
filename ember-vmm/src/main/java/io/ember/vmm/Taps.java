package io.ember.vmm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a VM's tap in its network namespace before its VMM starts (docs/vmm.md, "Network"). Only the driver knows the
 * uid a jailed VMM runs as, and the tap must be that uid's (a process without capabilities may open a persistent tap
 * only when it owns it). The tap is recreated on every start: a tap left by an earlier VMM may have another owner.
 * One {@code ip -batch} process does it all.
 */
final class Taps {
    static final Path TUN = Path.of("/dev/net/tun");
    /**
     * The host end's MAC, the same on every tap: a guest's ARP entry for its gateway stays right across a suspend (the
     * tap is recreated) and in every clone of a snapshot. Each tap is alone on its link, so they never meet.
     */
    static final String GATEWAY_MAC = "0a:eb:00:00:00:01";
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final long TIMEOUT_SECONDS = 10;
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private Taps() {}

    /** Deletes {@code nic.tap()} if present, adds it as a tap owned by uid:gid with the gateway address, sets it up. */
    static void recreate(Nic nic, int uid, int gid) throws VmmException {
        String tap = nic.tap();
        // line 1 may fail (no such tap yet): -force goes on and the failure is checked below
        String batch = "link del dev " + tap + "\n"
                + "tuntap add dev " + tap + " mode tap user " + uid + " group " + gid + "\n"
                + "addr add " + nic.gatewayCidr() + " dev " + tap + "\n"
                // no IPv6 link-local on the host's end: the guest's network is IPv4 only (docs/vmm.md)
                + "link set dev " + tap + " address " + GATEWAY_MAC + " addrgenmode none up\n";
        List<String> argv = ipCommand(nic.netns());
        argv.addAll(List.of("-force", "-batch", "-"));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new VmmException("cannot run ip for tap " + tap + ": " + e.getMessage(), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(batch.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // ip ended before reading its batch (no such namespace): its own message says why, below
        }
        try {
            boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readNBytes(8192), StandardCharsets.UTF_8).strip();
            if (!done) {
                p.destroyForcibly();
                throw new VmmException("ip timed out making tap " + tap + " in " + nic.netns());
            }
            if (p.exitValue() != 0 && !onlyAbsentBeforeDelete(out))
                throw new VmmException("cannot make tap " + tap + " in " + nic.netns() + ": " + out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VmmException("interrupted making tap " + tap, e);
        } catch (IOException e) {
            throw new VmmException("cannot read ip's output for tap " + tap + ": " + e.getMessage(), e);
        }
    }

    /** ip's errors name only line 1 (the delete of a tap that was not there). */
    static boolean onlyAbsentBeforeDelete(String out) {
        Matcher m = FAILED_LINE.matcher(out);
        boolean any = false;
        while (m.find()) {
            if (!m.group(1).equals("1")) return false;
            any = true;
        }
        return any && out.contains("Cannot find device");
    }

    /** {@code ip -n NAME} for a namespace under /run/netns (ip wants a name), else ip under {@code nsenter --net=PATH}. */
    static List<String> ipCommand(Path netns) {
        List<String> argv = new ArrayList<>();
        if (netns.getParent() != null && netns.getParent().equals(NETNS_DIR)) {
            argv.addAll(List.of("ip", "-n", netns.getFileName().toString()));
        } else {
            argv.addAll(List.of("nsenter", "--net=" + netns, "--", "ip"));
        }
        return argv;
    }

    /** The argv prefix that runs an unjailed VMM in {@code netns}. */
    static List<String> enter(Path netns) {
        return List.of("nsenter", "--net=" + netns, "--");
    }
}
