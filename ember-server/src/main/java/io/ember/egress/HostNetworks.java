package io.ember.egress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether a connector's {@code hostNetwork} can be used: an interface that exists, is not loopback, and has an IPv4
 * address (the microVM's traffic there is NATed to it). Asks {@code ip -j addr show dev NAME}, in the host's network
 * namespace or (tests) a named one.
 */
public final class HostNetworks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String namespace; // null: the host's

    private HostNetworks(String namespace) {
        this.namespace = namespace;
    }

    public static HostNetworks host() {
        return new HostNetworks(null);
    }

    /** Interfaces of the named network namespace instead (tests build one). */
    public static HostNetworks inNamespace(String namespace) {
        return new HostNetworks(namespace);
    }

    /** Why {@code name} cannot be a host network, or empty when it can. */
    public Optional<String> problem(String name) {
        try {
            prefixes(name);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The IPv4 prefixes on {@code name}: what a microVM whose policy names it may reach. An IllegalArgumentException
     * saying why when it cannot be a host network.
     */
    public List<Cidr> prefixes(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,15}")) throw new IllegalArgumentException("hostNetwork '" + name + "' is not an interface name");
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (namespace != null) cmd.addAll(List.of("-n", namespace));
        cmd.addAll(List.of("-j", "addr", "show", "dev", name));
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] bytes = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalArgumentException("checking hostNetwork " + name + " timed out");
            }
            if (p.exitValue() != 0) throw new IllegalArgumentException("hostNetwork " + name + " is not an interface on this host");
            out = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check hostNetwork " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("checking hostNetwork " + name + " was interrupted");
        }
        JsonNode links;
        try {
            links = JSON.readTree(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read what ip said of hostNetwork " + name + ": " + e.getMessage());
        }
        if (!links.isArray() || links.isEmpty()) throw new IllegalArgumentException("hostNetwork " + name + " is not an interface on this host");
        JsonNode link = links.get(0);
        for (JsonNode f : link.path("flags"))
            if (f.asText().equals("LOOPBACK"))
                throw new IllegalArgumentException("hostNetwork " + name + " is a loopback interface: the host itself stays unreachable");
        List<Cidr> prefixes = new ArrayList<>();
        for (JsonNode a : link.path("addr_info"))
            if (a.path("family").asText().equals("inet"))
                prefixes.add(new Cidr(Cidr.parseAddress(a.path("local").asText()), a.path("prefixlen").asInt()));
        if (prefixes.isEmpty()) throw new IllegalArgumentException("hostNetwork " + name + " has no IPv4 address");
        return prefixes;
    }
}
