package io.ember.sdk;

import java.time.Instant;
import java.util.List;

/** A microVM as RunMicrovm and GetMicrovm describe it (RunMicrovmResponse / GetMicrovmResponse). */
public record Microvm(
        String microvmId,
        MicrovmState state,
        String endpoint,
        String imageArn,
        String imageVersion,
        String executionRoleArn,
        IdlePolicy idlePolicy,
        Integer maximumDurationInSeconds,
        Instant startedAt,
        Instant terminatedAt,
        String stateReason,
        List<String> ingressNetworkConnectors,
        List<String> egressNetworkConnectors) {}
