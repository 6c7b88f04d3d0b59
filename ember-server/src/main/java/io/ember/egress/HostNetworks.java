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
                return Optional.of("checking hostNetwork " + name + " timed out");
            }
            if (p.exitValue() != 0) return Optional.of("hostNetwork " + name + " is not an interface on this host");
            out = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.of("cannot check hostNetwork " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("checking hostNetwork " + name + " was interrupted");
        }
        try {
            JsonNode links = JSON.readTree(out);
            if (!links.isArray() || links.isEmpty()) return Optional.of("hostNetwork " + name + " is not an interface on this host");
            JsonNode link = links.get(0);
            for (JsonNode f : link.path("flags")) {
                if (f.asText().equals("LOOPBACK")) return Optional.of("hostNetwork " + name + " is a loopback interface: the host itself stays unreachable");
            }
            for (JsonNode a : link.path("addr_info")) if (a.path("family").asText().equals("inet")) return Optional.empty();
            return Optional.of("hostNetwork " + name + " has no IPv4 address");
        } catch (IOException e) {
            return Optional.of("cannot read what ip said of hostNetwork " + name + ": " + e.getMessage());
        }
    }
}
