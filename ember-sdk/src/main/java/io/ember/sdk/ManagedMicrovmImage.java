package io.ember.sdk;

import java.time.Instant;

/** A managed (base) image (the model's ManagedMicrovmImageSummary). */
public record ManagedMicrovmImage(String imageArn, Instant createdAt, Instant updatedAt) {}
