package io.ember.network;

import io.ember.egress.Cidr;
import io.ember.egress.EgressPolicy;
import io.ember.egress.HostNetworks;
import io.ember.egress.Ranges;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every microVM's network (docs/network.md): its own namespace, joined by its VMM's jail, holding the tap its NIC is on
 * and one end of a veth pair to the host; its egress policy as nftables rules in that namespace; its guest address
 * registered with Ember's resolver. A namespace outlives its VMM (suspend keeps it: resume costs no setup) and goes when
 * the microVM is terminated, or at the next start when it belongs to no microVM.
 *
 * <p>What belongs to whom is recorded in {@code /run/ember/net/TAG/SLOT} (the microVM id and the policy's digest):
 * tmpfs, like the namespaces, so after a host reboot both are gone together and resume makes new ones.
 */
public final class Networks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Networks.class);
    static final Path RUN = Path.of("/run/ember/net");
    private static final Path NETNS = Path.of("/run/netns");

    private final NetworkSettings settings;
    private final DnsRegistry dns;
    private final String tag;
    private final Path records;
    private final Map<String, Integer> slots = new HashMap<>(); // vmId -> slot; guarded by this
    private final Set<Integer> used = new TreeSet<>();

    private Networks(NetworkSettings settings, DnsRegistry dns) {
        this.settings = settings;
        this.dns = dns;
        this.tag = settings.tag();
        this.records = RUN.resolve(tag);
    }

    /** Prepares the host (forwarding on, the host's table) and reads which namespaces exist. Needs root. */
    public static Networks start(NetworkSettings settings, DnsRegistry dns) {
        Networks n = new Networks(settings, dns);
        if (!settings.enabled()) return n;
        try {
            Files.createDirectories(n.records);
            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1\n");
        } catch (IOException e) {
            throw new NetworkException("cannot prepare the host for microVM networks (" + e.getMessage()
                    + "): the server must run as root, or with networking off (--network off)");
        }
        Commands.nft(null, NftRules.host(n.tag, settings.pool(), dns.port()));
        log.info("microVM networks on pool {} (namespaces ember-{}-N, resolver port {})", settings.pool(), n.tag, dns.port());
        return n;
    }

    /** Networking off: microVMs get no network (no root needed). */
    public static Networks off() {
        return new Networks(NetworkSettings.OFF, DnsRegistry.NONE);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * The microVM's network, made if missing (first launch, after a host reboot) or whose rules differ, and registered
     * with the resolver. Null when networking is off.
     */
    public VmNetwork attach(String vmId, EgressPolicy policy) {
        if (!settings.enabled()) return null;
        int slot;
        boolean fresh;
        synchronized (this) {
            Integer known = slots.get(vmId);
            fresh = known == null;
            slot = fresh ? allocate() : known;
            slots.put(vmId, slot);
        }
        AddressPlan p = new AddressPlan(tag, settings.pool(), slot);
        try {
            List<Cidr> hostNetwork = hostNetwork(policy); // asks ip(8): once, for the digest and the rules
            String digest = digest(policy, hostNetwork);
            Path record = records.resolve(Integer.toString(slot));
            boolean exists = Files.isRegularFile(NETNS.resolve(p.namespace()));
            if (!exists) create(p);
            if (!exists || !(vmId + "\n" + digest + "\n").equals(read(record))) {
                Commands.nft(p.namespace(), NftRules.vm(p, policy, hostNetwork, dns.port(), bandwidth(policy),
                        connections(policy)));
                Files.writeString(record, vmId + "\n" + digest + "\n");
            }
            dns.register(address(p.guest()), vmId, policy, (rule, addresses, ttl) ->
                    Commands.nft(p.namespace(), NftRules.pin(rule, addresses, ttl)));
        } catch (IOException | RuntimeException e) {
            // A new network goes whole; one a VMM may still be inside (adopted, suspended) stays, for the next attempt.
            if (fresh) detach(vmId);
            throw e instanceof NetworkException ne ? ne : new NetworkException("network of " + vmId + ": " + e.getMessage());
        }
        return new VmNetwork(NETNS.resolve(p.namespace()), AddressPlan.TAP, p.gateway() + "/30", p.guest(), 30, p.gateway(),
                Ranges.RESOLVER, p.mac());
    }

    /** Removes the microVM's network (terminate): its namespace with the tap and veth in it, its record, its DNS entry. */
    public void detach(String vmId) {
        if (!settings.enabled()) return;
        Integer slot;
        synchronized (this) {
            slot = slots.remove(vmId);
        }
        if (slot == null) return;
        remove(new AddressPlan(tag, settings.pool(), slot));
        synchronized (this) {
            used.remove(slot);
        }
    }

    /**
     * At start: keeps the namespaces of the microVMs in {@code keep} (re-registering their guest with the resolver) and
     * removes every other namespace, veth and record of this pool. Returns the networks kept, by microVM id (a
     * microVM whose namespace is gone, after a host reboot, gets a new one when it next launches).
     */
    public Map<String, VmNetwork> reconcile(Map<String, EgressPolicy> keep) {
        if (!settings.enabled()) return Map.of();
        Map<Integer, String> owners = new HashMap<>();
        try (var files = Files.list(records)) {
            for (Path f : files.toList()) {
                String owner = read(f);
                if (f.getFileName().toString().matches("[0-9]{1,5}") && owner != null)
                    owners.put(Integer.parseInt(f.getFileName().toString()), owner.lines().findFirst().orElse(""));
            }
        } catch (IOException e) {
            throw new NetworkException("cannot read " + records + ": " + e.getMessage());
        }
        for (String ns : namespaces()) {
            int slot = Integer.parseInt(ns.substring(("ember-" + tag + "-").length()));
            String owner = owners.get(slot);
            if (owner != null && keep.containsKey(owner)) {
                synchronized (this) {
                    slots.put(owner, slot);
                    used.add(slot);
                }
            } else {
                log.info("removing network namespace {} (belongs to no microVM{})", ns, owner == null ? "" : ": " + owner);
                remove(new AddressPlan(tag, settings.pool(), slot));
            }
        }
        for (var e : owners.entrySet()) // a record without its namespace (removed by hand): only the record goes
            if (!slots.containsKey(e.getValue())) deleteQuietly(records.resolve(Integer.toString(e.getKey())));
        for (String link : hostLinks()) { // a host veth whose namespace end is gone
            int slot = Integer.parseInt(link.substring(("em" + tag + "-").length()), 16);
            synchronized (this) {
                if (used.contains(slot)) continue;
            }
            Commands.run(List.of("ip", "link", "del", link), null, false);
        }
        Map<String, VmNetwork> kept = new HashMap<>();
        for (var e : keep.entrySet()) {
            if (!slots.containsKey(e.getKey())) continue;
            try {
                kept.put(e.getKey(), attach(e.getKey(), e.getValue()));
            } catch (NetworkException ex) {
                log.warn("{}: cannot restore its network ({}); it gets a new one when it next launches", e.getKey(), ex.getMessage());
            }
        }
        return kept;
    }

    /**
     * Removes everything of this pool from the host: every namespace and veth, the records, the host's table. For
     * uninstalling and for tests; the microVMs on them lose their network.
     */
    public static void purge(NetworkSettings settings) {
        Networks n = new Networks(settings, DnsRegistry.NONE);
        for (String ns : n.namespaces()) n.remove(new AddressPlan(n.tag, settings.pool(), Integer.parseInt(ns.substring(("ember-" + n.tag + "-").length()))));
        for (String link : n.hostLinks()) Commands.run(List.of("ip", "link", "del", link), null, false);
        Commands.run(List.of("nft", "delete", "table", "ip", NftRules.hostTable(n.tag)), null, false);
        deleteQuietly(n.records);
    }

    /** How many microVM networks exist (diagnostics, tests). */
    public synchronized int attached() {
        return slots.size();
    }

    @Override
    public void close() {
        // Namespaces stay: the microVMs keep running and the next server adopts them.
    }

    private int allocate() {
        int max = AddressPlan.slots(settings.pool());
        for (int s = 1; s < max; s++) {
            if (used.add(s)) return s;
        }
        throw new NetworkException("the network pool " + settings.pool() + " is full (" + (max - 1)
                + " microVMs): give the server a larger --network-pool");
    }

    private void create(AddressPlan p) {
        String ns = p.namespace(), veth = p.hostVeth();
        remove(p); // a half-made one from a crash
        Commands.run(List.of("ip", "netns", "add", ns), null);
        Commands.run(List.of("ip", "-batch", "-"), String.join("\n",
                "link add " + veth + " type veth peer name " + AddressPlan.NS_VETH + " netns " + ns,
                "addr add " + p.hostAddress() + "/30 dev " + veth,
                "link set " + veth + " up",
                "route add " + p.guestLink() + " via " + p.namespaceAddress() + " dev " + veth) + "\n");
        // Forwarding on inside; IPv6 off for every interface made there later (the tap too): the policy is IPv4's.
        Commands.run(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1",
                "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"), null);
        Commands.run(List.of("ip", "-n", ns, "-batch", "-"), String.join("\n",
                "link set lo up",
                "addr add " + p.namespaceAddress() + "/30 dev " + AddressPlan.NS_VETH,
                "link set " + AddressPlan.NS_VETH + " up",
                "route add default via " + p.hostAddress()) + "\n");
    }

    private void remove(AddressPlan p) {
        try {
            dns.unregister(address(p.guest()));
        } catch (RuntimeException e) {
            log.debug("unregistering {} from the resolver", p.guest(), e);
        }
        Commands.run(List.of("ip", "netns", "del", p.namespace()), null, false);
        Commands.run(List.of("ip", "link", "del", p.hostVeth()), null, false);
        deleteQuietly(records.resolve(Integer.toString(p.slot())));
    }

    private List<String> namespaces() {
        String prefix = "ember-" + tag + "-";
        try (var files = Files.list(NETNS)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.substring(prefix.length()).matches("[0-9]{1,5}")).toList();
        } catch (IOException e) {
            return List.of(); // no /run/netns: no namespaces yet
        }
    }

    private List<String> hostLinks() {
        String prefix = "em" + tag + "-";
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            return links.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.substring(prefix.length()).matches("[0-9a-f]{1,4}")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private List<Cidr> hostNetwork(EgressPolicy policy) {
        if (policy.hostNetwork() == null) return List.of();
        try {
            return HostNetworks.host().prefixes(policy.hostNetwork());
        } catch (IllegalArgumentException e) {
            throw new NetworkException(e.getMessage());
        }
    }

    private int bandwidth(EgressPolicy policy) {
        return policy.bandwidthMbps() > 0 ? policy.bandwidthMbps() : settings.bandwidthMbps();
    }

    private int connections(EgressPolicy policy) {
        return policy.maxConnections() > 0 ? policy.maxConnections() : settings.maxConnections();
    }

    private String digest(EgressPolicy policy, List<Cidr> hostNetwork) {
        // The rules depend on the policy, the host network's prefixes, the resolver's port and the caps: any change
        // re-renders them.
        return Integer.toHexString((policy + "|" + dns.port() + "|" + bandwidth(policy) + "|" + connections(policy)
                + "|" + hostNetwork).hashCode());
    }

    private static Inet4Address address(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByAddress(InetAddress.getByName(dotted).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(dotted, e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.debug("deleting {}", f, e);
        }
    }
}
