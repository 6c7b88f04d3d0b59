package io.ember.sdk;

/** {@code GET /ember/v1/health}: {@code status} is {@code ok} when the server serves. */
public record Health(String status, String version) {}
