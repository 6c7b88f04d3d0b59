package io.ember.sdk;

/** Sizes of what a successful build produced (the model's SnapshotBuild), in bytes. */
public record SnapshotBuild(Long memorySnapshotSizeInBytes, Long codeInstallSizeInBytes, Long diskSnapshotSizeInBytes) {}
