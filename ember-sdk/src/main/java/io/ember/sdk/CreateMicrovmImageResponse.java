package io.ember.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * CreateMicrovmImage's answer: the image and the version whose build just started
 * ({@code imageVersion}); follow it with {@link EmberClient#waitForImageVersion}.
 */
public record CreateMicrovmImageResponse(
        String imageArn,
        String name,
        MicrovmImageState state,
        String imageVersion,
        String latestActiveImageVersion,
        String latestFailedImageVersion,
        String baseImageArn,
        String baseImageVersion,
        String buildRoleArn,
        String description,
        CodeArtifact codeArtifact,
        List<Resources> resources,
        Map<String, String> environmentVariables,
        List<String> egressNetworkConnectors,
        Map<String, String> tags,
        Instant createdAt,
        Instant updatedAt,
        Hooks hooks) {

}
