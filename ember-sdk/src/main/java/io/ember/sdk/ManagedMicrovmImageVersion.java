package io.ember.sdk;

import java.time.Instant;

/** One version of a managed image; {@code status} is AVAILABLE or DEPRECATED. */
public record ManagedMicrovmImageVersion(String imageArn, String imageVersion, String status,
                                         Instant createdAt, Instant updatedAt) {}
