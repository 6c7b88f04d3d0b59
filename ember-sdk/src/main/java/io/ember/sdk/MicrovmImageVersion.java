package io.ember.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One version of a built image: GetMicrovmImageVersion, UpdateMicrovmImageVersion and the items of
 * ListMicrovmImageVersions (the model's MicrovmImageVersionSummary) all have this shape.
 * {@code state} is the build's progress, {@code status} whether microVMs may launch from it.
 */
public record MicrovmImageVersion(
        String imageArn,
        String imageVersion,
        MicrovmImageVersionState state,
        MicrovmImageVersionStatus status,
        String stateReason,
        String baseImageArn,
        String baseImageVersion,
        String buildRoleArn,
        String description,
        CodeArtifact codeArtifact,
        List<Resources> resources,
        Map<String, String> environmentVariables,
        List<String> egressNetworkConnectors,
        Instant createdAt,
        Instant updatedAt,
        Map<String, String> tags,
        Hooks hooks) {

}
