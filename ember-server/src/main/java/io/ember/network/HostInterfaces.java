package io.ember.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.egress.Cidr;
import java.util.ArrayList;
import java.util.List;

/** The IPv4 prefixes configured on a host interface: what a policy's {@code hostNetwork} lets a microVM reach. */
public final class HostInterfaces {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostInterfaces() {}

    /** The interface's IPv4 prefixes; a NetworkException when it does not exist or has none. */
    public static List<Cidr> prefixes(String name) {
        if (!name.matches("[A-Za-z0-9_.-]{1,15}")) throw new NetworkException("'" + name + "' is not an interface name");
        String out = Commands.run(List.of("ip", "-j", "-4", "addr", "show", "dev", name), null, false);
        List<Cidr> prefixes = new ArrayList<>();
        try {
            for (JsonNode link : JSON.readTree(out.isEmpty() ? "[]" : out))
                for (JsonNode a : link.path("addr_info"))
                    if (a.path("family").asText().equals("inet"))
                        prefixes.add(new Cidr(Cidr.parseAddress(a.path("local").asText()), a.path("prefixlen").asInt()));
        } catch (Exception e) {
            throw new NetworkException("host network '" + name + "' does not exist");
        }
        if (prefixes.isEmpty()) throw new NetworkException("host network '" + name + "' does not exist or has no IPv4 address");
        return prefixes;
    }
}
