package io.ember.sdk;

import java.time.Instant;

/**
 * One build of an image version: GetMicrovmImageBuild, and the items of ListMicrovmImageBuilds
 * (the model's MicrovmImageBuildSummary, without {@code snapshotBuild}).
 */
public record MicrovmImageBuild(
        String imageArn,
        String imageVersion,
        String buildId,
        BuildState buildState,
        String stateReason,
        String architecture,
        String chipset,
        String chipsetGeneration,
        Instant createdAt,
        SnapshotBuild snapshotBuild) {}
