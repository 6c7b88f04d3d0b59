package io.ember.connector;

import io.ember.egress.EgressPolicy;
import java.util.List;

/**
 * The connectors a microVM is run with, resolved: their ARNs as GetMicrovm returns them (defaults filled in) and the
 * egress policy they mean now, which the microVM keeps for its whole life.
 */
public record Attachment(List<String> ingressNetworkConnectors, List<String> egressNetworkConnectors, EgressPolicy egressPolicy) {
    public Attachment {
        ingressNetworkConnectors = List.copyOf(ingressNetworkConnectors);
        egressNetworkConnectors = List.copyOf(egressNetworkConnectors);
        if (egressPolicy == null) throw new IllegalArgumentException("egressPolicy is required");
    }

    /** What RunMicrovm resolves its connectors with. */
    @FunctionalInterface
    public interface Resolver {
        /**
         * @param ingress RunMicrovm's ingressNetworkConnectors (null or empty: HTTP_INGRESS)
         * @param egress RunMicrovm's egressNetworkConnectors (null or empty: the image's, else INTERNET_EGRESS)
         * @param imageEgress the image version's egressNetworkConnectors (may be empty)
         * @throws ConnectorException INVALID naming the field when a connector is malformed, unknown, not the caller's,
         *     or not ACTIVE
         */
        Attachment resolve(String tenantId, List<String> ingress, List<String> egress, List<String> imageEgress);

        /** Managed connectors only (a server without tenant connectors: tests of the lifecycle). */
        Resolver MANAGED = (tenantId, ingress, egress, imageEgress) ->
                ConnectorChoice.resolve(tenantId, ingress, egress, imageEgress, (t, arn) -> {
                    throw ConnectorException.invalid("network connector " + arn.connectorId() + " not found");
                });
    }
}
