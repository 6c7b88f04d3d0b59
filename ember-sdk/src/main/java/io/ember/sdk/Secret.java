package io.ember.sdk;

import java.time.Instant;

/** A secret's description; no answer ever carries its value. */
public record Secret(String name, String arn, String description, Instant createdAt, Instant updatedAt) {}
