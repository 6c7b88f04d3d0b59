package io.ember.sdk;

/**
 * {@code GET /ember/v1/health}: {@code status} is {@code ok} when the server serves; {@code region} is the one in the
 * ARNs it answers (null from servers before it was named).
 */
public record Health(String status, String version, String region) {}
