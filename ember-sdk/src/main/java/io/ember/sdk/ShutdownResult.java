package io.ember.sdk;

import java.util.List;

/** What {@link EmberClient#shutdown()} stopped: the microVMs of every tenant it terminated, and those it could not. */
public record ShutdownResult(List<String> terminatedMicrovmIds, List<String> failedMicrovmIds) {}
