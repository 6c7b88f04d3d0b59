package io.ember.sdk;

import java.time.Instant;

/** One microVM in a ListMicrovms page. */
public record MicrovmItem(String microvmId, MicrovmState state, String imageArn, String imageVersion, Instant startedAt) {}
