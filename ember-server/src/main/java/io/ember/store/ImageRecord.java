package io.ember.store;

import java.time.Instant;

/** An image built from a Dockerfile (docs/images.md). {@code tagsJson}: the tags (CreateMicrovmImage's, as TagResource changed them), JSON; null when none.
 * {@code clientToken} is prefixed with the owner's id; {@code tenantId} is the owner's account id. */
public record ImageRecord(long ordinal, String id, String name, String arn, String state, String stateReason,
                          String tagsJson, Instant createdAt, Instant updatedAt, String clientToken, String fingerprint, String tenantId) {}
