package io.ember.connector;

import io.ember.egress.EgressPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BiFunction;

/** RunMicrovm's connector rules (docs/connectors.md, "At RunMicrovm"), apart from where tenant connectors are kept. */
final class ConnectorChoice {
    static final int MAX_CONNECTORS = 16;

    private ConnectorChoice() {}

    /**
     * {@code own} answers the policy of a tenant's ACTIVE connector, or throws INVALID. The attachment keeps the ARNs
     * in their stored form (no region), whatever region the request named.
     */
    static Attachment resolve(String tenantId, List<String> ingress, List<String> egress, List<String> imageEgress,
                              BiFunction<String, ConnectorArn, EgressPolicy> own) {
        List<String> given = ingress == null ? List.of() : ingress;
        LinkedHashSet<String> in = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            ConnectorArn a = parse("ingressNetworkConnectors[" + i + "]", given.get(i));
            if (a.managed() == null || !a.managed().ingress)
                throw ConnectorException.invalid("ingressNetworkConnectors[" + i + "]: " + given.get(i)
                        + " is not an ingress connector (HTTP_INGRESS, ALL_INGRESS or SHELL_INGRESS)");
            in.add(a.arn());
        }
        if (in.isEmpty()) in.add(ConnectorArn.Managed.HTTP_INGRESS.arn());
        String field = "egressNetworkConnectors";
        List<String> out = new ArrayList<>(new LinkedHashSet<>(egress == null ? List.of() : egress));
        if (out.isEmpty() && imageEgress != null && !imageEgress.isEmpty()) {
            out.addAll(new LinkedHashSet<>(imageEgress));
            field = "the image's egressNetworkConnectors";
        }
        if (out.isEmpty()) out.add(ConnectorArn.Managed.INTERNET_EGRESS.arn());
        List<String> stored = new ArrayList<>(new LinkedHashSet<>(out.stream().map(ConnectorChoice::stored).toList()));
        if (stored.size() > 1)
            throw ConnectorException.invalid(field + ": at most one egress connector (got " + out.size() + ")");
        String text = out.getFirst();
        ConnectorArn a = parse(field + "[0]", text);
        EgressPolicy policy;
        if (a.managed() == ConnectorArn.Managed.INTERNET_EGRESS) policy = EgressPolicy.INTERNET;
        else if (a.isManaged()) throw ConnectorException.invalid(field + "[0]: " + text + " is not an egress connector");
        else if (!a.account().equals(tenantId)) throw ConnectorException.invalid(field + "[0]: network connector " + a.connectorId() + " not found");
        else policy = own.apply(field + "[0]", a);
        return new Attachment(List.copyOf(in), List.of(a.arn()), policy);
    }

    /** Form only: what CreateMicrovmImage checks of its egressNetworkConnectors. */
    static void checkEgressForm(String field, List<String> arns) {
        if (arns == null) return;
        if (arns.size() > 1) throw ConnectorException.invalid(field + ": at most one egress connector (got " + arns.size() + ")");
        for (int i = 0; i < arns.size(); i++) {
            ConnectorArn a = parse(field + "[" + i + "]", arns.get(i));
            if (a.isManaged() && a.managed() != ConnectorArn.Managed.INTERNET_EGRESS)
                throw ConnectorException.invalid(field + "[" + i + "]: " + arns.get(i) + " is not an egress connector");
        }
    }

    /** The stored form of {@code arn} (one connector named in two regions counts once), or {@code arn} when malformed. */
    private static String stored(String arn) {
        try {
            return ConnectorArn.parse(arn).arn();
        } catch (IllegalArgumentException e) {
            return arn; // reported where it is checked
        }
    }

    private static ConnectorArn parse(String field, String arn) {
        try {
            return ConnectorArn.parse(arn);
        } catch (IllegalArgumentException e) {
            throw ConnectorException.invalid(field + ": " + e.getMessage());
        }
    }
}
