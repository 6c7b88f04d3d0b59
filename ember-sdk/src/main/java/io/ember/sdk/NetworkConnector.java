package io.ember.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network connector (docs/connectors.md): an egress policy a microVM is run with, named by {@code networkConnectorArn}
 * in {@link RunMicrovmRequest#withEgressNetworkConnectors}. {@code configuration} is the JSON object
 * {@code {"egressPolicyConfiguration": {...}}} as parsed JSON (maps, lists, strings, numbers); {@code state} is
 * PENDING, ACTIVE, FAILED (see {@code stateReason}) or DELETING.
 */
public record NetworkConnector(String networkConnectorArn, String networkConnectorId, String name, String state,
                               String stateReason, Map<String, Object> configuration, String operatorRole,
                               Map<String, String> tags, Instant createdAt, Instant lastModified) {
    /** The managed connectors' ARNs, as RunMicrovm takes them (in us-east-1: a server takes them in any region). */
    public static final String HTTP_INGRESS = managed("HTTP_INGRESS"), ALL_INGRESS = managed("ALL_INGRESS"),
            SHELL_INGRESS = managed("SHELL_INGRESS"), INTERNET_EGRESS = managed("INTERNET_EGRESS");

    private static String managed(String name) {
        return Arn.managedConnector("us-east-1", name).toString();
    }

    /** One page of the caller's connectors; {@code nextToken} is null on the last page. */
    public record Page(List<NetworkConnector> networkConnectors, String nextToken) {
        public Page {
            networkConnectors = networkConnectors == null ? List.of() : List.copyOf(networkConnectors);
        }
    }
}
