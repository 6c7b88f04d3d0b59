package io.ember.sdk;

/**
 * What a microVM launched from an image gets (the model's Resources). {@code vcpus} is Ember's
 * extension; null fields take the base image's values.
 */
public record Resources(Integer minimumMemoryInMiB, Integer vcpus) {}
