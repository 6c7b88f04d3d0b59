package io.ember.store;

import java.time.Instant;

/**
 * One version of an image. {@code specJson} is the request that made it (returned as given);
 * {@code vcpus}, {@code memoryMib} and {@code environmentJson} are what a microVM of it gets. {@code hooksContract} is the
 * marker of the hook contract it was made under ({@code io.ember.hooks.HookContract}): null for versions stored before
 * markers existed. {@code sizeMib} is its size ({@code io.ember.image.SizeClass}, by minimumMemoryInMiB): null for
 * versions sized before sizes existed, whose {@code vcpus} and {@code memoryMib} are all there is.
 */
public record ImageVersionRecord(String imageId, int version, String state, String status, String stateReason,
                                 String specJson, int vcpus, int memoryMib, String environmentJson, Instant createdAt,
                                 Instant updatedAt, String clientToken, String fingerprint, String hooksContract, Integer sizeMib) {}
