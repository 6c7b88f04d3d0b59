package io.ember.sdk;

import java.time.Instant;
import java.util.Map;

/**
 * A built image as GetMicrovmImage describes it; ListMicrovmImages items (the model's
 * MicrovmImageSummary) have the same fields without {@code tags} and {@code updatedAt}. {@code stateReason}
 * is Ember's addition: why the image is CREATE_FAILED or UPDATE_FAILED.
 */
public record MicrovmImage(
        String imageArn,
        String name,
        MicrovmImageState state,
        String stateReason,
        String latestActiveImageVersion,
        String latestFailedImageVersion,
        Instant createdAt,
        Instant updatedAt,
        Map<String, String> tags) {}
