package io.ember.microvm;

/** The model's IdlePolicy, kept as given (enforced with the suspend issue). */
public record IdlePolicy(int maxIdleDurationSeconds, int suspendedDurationSeconds, boolean autoResumeEnabled) {}
