package io.ember.store;

import java.time.Instant;

/** The build of one image version, with the sizes of what it produced once SUCCESSFUL. */
public record ImageBuildRecord(long ordinal, String id, String imageId, int version, String state, String stateReason,
                               Instant createdAt, Instant startedAt, Instant endedAt, Long vmmPid, Long memoryBytes,
                               Long codeBytes, Long diskBytes) {}
