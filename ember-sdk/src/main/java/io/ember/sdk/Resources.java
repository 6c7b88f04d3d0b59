package io.ember.sdk;

/**
 * The version's size (the model's Resources, docs/images.md "Sizes"): {@code minimumMemoryInMiB} 512, 1024, 2048, 4096
 * or 8192 (null: 2048). {@code vcpus} is Ember's extension, accepted only when it is the size's vCPUs (null: the size's).
 */
public record Resources(Integer minimumMemoryInMiB, Integer vcpus) {}
