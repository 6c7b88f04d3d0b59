package io.ember.store;

import java.time.Instant;

/** An image built from a Dockerfile (docs/images.md). {@code tagsJson}: the tags (CreateMicrovmImage's, as TagResource changed them), JSON; null when none. */
public record ImageRecord(long ordinal, String id, String name, String arn, String state, String stateReason,
                          String tagsJson, Instant createdAt, Instant updatedAt, String clientToken, String fingerprint) {}
