package io.ember.sdk;

/** What happens to an idle microVM (the model's IdlePolicy). */
public record IdlePolicy(Integer maxIdleDurationSeconds, Integer suspendedDurationSeconds, Boolean autoResumeEnabled) {}
