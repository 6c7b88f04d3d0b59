package io.ember.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One microVM as stored. {@code state} is the lifecycle state's name (the store does not decide
 * what states mean). {@code ordinal} is the creation order, assigned by {@link Store#insert}.
 *
 * @param idlePolicyJson the idle policy as given, serialized as JSON; null when none was given
 * @param vmmPid the VMM process id once launched; null before
 * @param clientToken RunMicrovm's clientToken prefixed with the tenant's id (tokens of two tenants never meet)
 * @param tenantId the owner's account id
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
        String tenantId) {

    public MicrovmRecord {
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
                vmmPid, workDir, clientToken, tenantId);
    }
}
