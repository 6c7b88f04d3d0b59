package io.ember.egress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A network connector's configuration as JSON (docs/connectors.md), to and from {@link EgressPolicy}:
 * <pre>{"egressPolicyConfiguration": {"defaultAction": "DENY", "rules": [
 *     {"action": "ALLOW", "domain": "*.example.com", "protocol": "TCP", "ports": "443"}],
 *   "hostNetwork": "br-lan", "bandwidthMbps": 100, "maxConnections": 512}}</pre>
 * Bad input is an {@link IllegalArgumentException} whose message starts with the field's path
 * ({@code egressPolicyConfiguration.rules[1].ports: ...}), for the API to answer as a ValidationException.
 * Unknown fields are refused: a misspelt rule in a security policy must not pass as if it were absent.
 */
public final class EgressPolicyJson {
    static final String ROOT = "egressPolicyConfiguration";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> POLICY_FIELDS = Set.of("defaultAction", "rules", "hostNetwork", "bandwidthMbps", "maxConnections");
    private static final Set<String> RULE_FIELDS = Set.of("action", "cidr", "domain", "protocol", "ports");

    private EgressPolicyJson() {}

    /** A connector's whole {@code configuration} object (the one that holds {@code egressPolicyConfiguration}). */
    public static EgressPolicy parseConfiguration(JsonNode configuration) {
        if (configuration == null || !configuration.isObject()) throw bad("configuration", "must be an object");
        only(configuration, Set.of(ROOT), "configuration");
        JsonNode policy = configuration.get(ROOT);
        if (policy == null || policy.isNull()) throw bad("configuration." + ROOT, "is required");
        return parse(policy, ROOT);
    }

    /** The policy object itself ({@code defaultAction}, {@code rules}, ...). */
    public static EgressPolicy parse(JsonNode policy) {
        return parse(policy, ROOT);
    }

    /** As stored: the text {@link #toText} wrote. */
    public static EgressPolicy parse(String text) {
        try {
            return parse(JSON.readTree(text));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(ROOT + ": not JSON: " + e.getOriginalMessage());
        }
    }

    private static EgressPolicy parse(JsonNode p, String path) {
        if (!p.isObject()) throw bad(path, "must be an object");
        only(p, POLICY_FIELDS, path);
        EgressPolicy.Action defaultAction = action(p.get("defaultAction"), path + ".defaultAction", true);
        List<EgressRule> rules = new ArrayList<>();
        JsonNode rs = p.get("rules");
        if (rs != null && !rs.isNull()) {
            if (!rs.isArray()) throw bad(path + ".rules", "must be an array");
            if (rs.size() > EgressPolicy.MAX_RULES) throw bad(path + ".rules", "at most " + EgressPolicy.MAX_RULES + " rules");
            for (int i = 0; i < rs.size(); i++) rules.add(rule(rs.get(i), path + ".rules[" + i + "]"));
        }
        String hostNetwork = text(p.get("hostNetwork"), path + ".hostNetwork");
        int bandwidth = integer(p.get("bandwidthMbps"), path + ".bandwidthMbps");
        int connections = integer(p.get("maxConnections"), path + ".maxConnections");
        try {
            return new EgressPolicy(defaultAction, rules, hostNetwork, bandwidth, connections);
        } catch (IllegalArgumentException e) {
            throw bad(path, e.getMessage());
        }
    }

    private static EgressRule rule(JsonNode r, String path) {
        if (r == null || !r.isObject()) throw bad(path, "must be an object");
        only(r, RULE_FIELDS, path);
        EgressPolicy.Action action = action(r.get("action"), path + ".action", true);
        String cidr = text(r.get("cidr"), path + ".cidr");
        String domain = text(r.get("domain"), path + ".domain");
        if ((cidr == null) == (domain == null)) throw bad(path, "a rule names exactly one of cidr and domain");
        EgressRule.Protocol protocol = protocol(r.get("protocol"), path + ".protocol");
        EgressRule.PortRange ports = ports(r.get("ports"), path + ".ports");
        try {
            return cidr != null ? new EgressRule(action, Cidr.parse(cidr), null, protocol, ports)
                    : new EgressRule(action, null, DomainPattern.parse(domain), protocol, ports);
        } catch (IllegalArgumentException e) {
            throw bad(path + (cidr != null ? ".cidr" : ".domain"), e.getMessage());
        }
    }

    /** The policy object; fields at their defaults (no host network, 0 limits, all ports) are left out. */
    public static ObjectNode toJson(EgressPolicy p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("defaultAction", p.defaultAction().name());
        ArrayNode rules = o.putArray("rules");
        for (EgressRule r : p.rules()) {
            ObjectNode j = rules.addObject();
            j.put("action", r.action().name());
            if (r.cidr() != null) j.put("cidr", r.cidr().toString());
            else j.put("domain", r.domain().toString());
            j.put("protocol", r.protocol().name());
            if (!r.ports().equals(EgressRule.PortRange.ALL)) j.put("ports", r.ports().toString());
        }
        if (p.hostNetwork() != null) o.put("hostNetwork", p.hostNetwork());
        if (p.bandwidthMbps() != 0) o.put("bandwidthMbps", p.bandwidthMbps());
        if (p.maxConnections() != 0) o.put("maxConnections", p.maxConnections());
        return o;
    }

    /** {@code {"egressPolicyConfiguration": toJson(p)}}: a connector's configuration. */
    public static ObjectNode configuration(EgressPolicy p) {
        ObjectNode o = JSON.createObjectNode();
        o.set(ROOT, toJson(p));
        return o;
    }

    /** Compact JSON text of {@link #toJson}, as stored. */
    public static String toText(EgressPolicy p) {
        return toJson(p).toString();
    }

    private static void only(JsonNode o, Set<String> known, String path) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) throw bad(path + "." + f, "unknown field (expected one of " + known.stream().sorted().toList() + ")");
        }
    }

    private static EgressPolicy.Action action(JsonNode n, String path, boolean required) {
        String s = text(n, path);
        if (s == null) {
            if (required) throw bad(path, "is required (ALLOW or DENY)");
            return null;
        }
        try {
            return EgressPolicy.Action.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(path, "must be ALLOW or DENY, not '" + s + "'");
        }
    }

    private static EgressRule.Protocol protocol(JsonNode n, String path) {
        String s = text(n, path);
        if (s == null) return EgressRule.Protocol.TCP;
        try {
            return EgressRule.Protocol.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(path, "must be TCP, UDP or ANY, not '" + s + "'");
        }
    }

    /** "443", "8000-8100", "*", or a number. */
    private static EgressRule.PortRange ports(JsonNode n, String path) {
        if (n == null || n.isNull()) return EgressRule.PortRange.ALL;
        try {
            if (n.isIntegralNumber()) {
                if (!n.canConvertToInt()) throw new IllegalArgumentException("ports must be N or N-M within 1-65535");
                return new EgressRule.PortRange(n.intValue(), n.intValue());
            }
            if (!n.isTextual()) throw bad(path, "must be a string (\"443\", \"8000-8100\" or \"*\")");
            return EgressRule.PortRange.parse(n.textValue());
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(path)) throw e;
            throw bad(path, e.getMessage());
        }
    }

    private static String text(JsonNode n, String path) {
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw bad(path, "must be a string");
        return n.textValue();
    }

    private static int integer(JsonNode n, String path) {
        if (n == null || n.isNull()) return 0;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw bad(path, "must be an integer");
        return n.intValue();
    }

    private static IllegalArgumentException bad(String path, String what) {
        return new IllegalArgumentException(path + ": " + what);
    }
}
