package io.ember.store;

import io.ember.connector.ConnectorArn;
import io.ember.egress.EgressPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One microVM as stored. {@code state} is the lifecycle state's name (the store does not decide
 * what states mean). {@code ordinal} is the creation order, assigned by {@link Store#insert}.
 *
 * @param idlePolicyJson the idle policy as given, serialized as JSON; null when none was given
 * @param vmmPid the VMM process id once launched; null before
 * @param clientToken RunMicrovm's clientToken prefixed with the tenant's id (tokens of two tenants never meet)
 * @param tenantId the owner's account id
 * @param ingressNetworkConnectors the ingress connectors' ARNs as GetMicrovm returns them (the defaults filled in);
 *     null (a row from before connectors): ALL_INGRESS, what such a microVM was allowed
 * @param egressNetworkConnectors the egress connectors' ARNs, likewise; null: INTERNET_EGRESS
 * @param egressPolicy what the egress connectors meant when the microVM was run, kept as it was then so that a later
 *     change to a connector does not change a microVM that uses it; null: {@link EgressPolicy#INTERNET}
 */
public record MicrovmRecord(
        long ordinal,
        String id,
        String arn,
        String imageName,
        String imageArn,
        String imageVersion,
        String state,
        String stateReason,
        int vcpus,
        int memoryMib,
        String idlePolicyJson,
        int maximumDurationSeconds,
        String executionRoleArn,
        Instant startedAt,
        Instant terminatedAt,
        Long vmmPid,
        String workDir,
        String clientToken,
        String tenantId,
        List<String> ingressNetworkConnectors,
        List<String> egressNetworkConnectors,
        EgressPolicy egressPolicy,
        Integer sizeMib) {

    /** Without a size: {@code vcpus} and {@code memoryMib} are all there is (and all that is billed). */
    public MicrovmRecord(long ordinal, String id, String arn, String imageName, String imageArn, String imageVersion,
                         String state, String stateReason, int vcpus, int memoryMib, String idlePolicyJson,
                         int maximumDurationSeconds, String executionRoleArn, Instant startedAt, Instant terminatedAt,
                         Long vmmPid, String workDir, String clientToken, String tenantId,
                         List<String> ingressNetworkConnectors, List<String> egressNetworkConnectors, EgressPolicy egressPolicy) {
        this(ordinal, id, arn, imageName, imageArn, imageVersion, state, stateReason, vcpus, memoryMib, idlePolicyJson,
                maximumDurationSeconds, executionRoleArn, startedAt, terminatedAt, vmmPid, workDir, clientToken, tenantId,
                ingressNetworkConnectors, egressNetworkConnectors, egressPolicy, null);
    }

    /** Without connectors: the defaults of a row from before them (see the parameters). */
    public MicrovmRecord(long ordinal, String id, String arn, String imageName, String imageArn, String imageVersion,
                         String state, String stateReason, int vcpus, int memoryMib, String idlePolicyJson,
                         int maximumDurationSeconds, String executionRoleArn, Instant startedAt, Instant terminatedAt,
                         Long vmmPid, String workDir, String clientToken, String tenantId) {
        this(ordinal, id, arn, imageName, imageArn, imageVersion, state, stateReason, vcpus, memoryMib, idlePolicyJson,
                maximumDurationSeconds, executionRoleArn, startedAt, terminatedAt, vmmPid, workDir, clientToken, tenantId,
                null, null, null);
    }

    public MicrovmRecord {
        ingressNetworkConnectors = List.copyOf(ingressNetworkConnectors == null
                ? List.of(ConnectorArn.Managed.ALL_INGRESS.arn()) : ingressNetworkConnectors);
        egressNetworkConnectors = List.copyOf(egressNetworkConnectors == null
                ? List.of(ConnectorArn.Managed.INTERNET_EGRESS.arn()) : egressNetworkConnectors);
        if (egressPolicy == null) egressPolicy = EgressPolicy.INTERNET;
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(imageName, "imageName");
        Objects.requireNonNull(imageArn, "imageArn");
        Objects.requireNonNull(imageVersion, "imageVersion");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(tenantId, "tenantId");
    }

    public MicrovmRecord withOrdinal(long value) {
        return new MicrovmRecord(value, id, arn, imageName, imageArn, imageVersion, state, stateReason, vcpus,
                memoryMib, idlePolicyJson, maximumDurationSeconds, executionRoleArn, startedAt, terminatedAt,
                vmmPid, workDir, clientToken, tenantId, ingressNetworkConnectors, egressNetworkConnectors, egressPolicy, sizeMib);
    }

    /** What the ingress connectors let in: application traffic at the endpoint, shell tokens. */
    public ConnectorArn.Ingress ingress() {
        return ConnectorArn.Ingress.of(ingressNetworkConnectors);
    }
}
