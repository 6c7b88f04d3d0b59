package io.ember.sdk;

import java.util.List;
import java.util.Objects;

/**
 * RunMicrovm's input. Start from {@link #of(String)} and add what you need with the {@code with}
 * methods. A null {@code clientToken} is filled with a random UUID by the client, as the AWS SDKs do.
 */
public record RunMicrovmRequest(
        String imageIdentifier,
        String imageVersion,
        String executionRoleArn,
        IdlePolicy idlePolicy,
        String runHookPayload,
        Integer maximumDurationInSeconds,
        String clientToken,
        List<String> ingressNetworkConnectors,
        List<String> egressNetworkConnectors) {

    public RunMicrovmRequest {
        Objects.requireNonNull(imageIdentifier, "imageIdentifier");
    }

    /** A request for the image named or ARN'd by {@code imageIdentifier} (e.g. {@code busybox}). */
    public static RunMicrovmRequest of(String imageIdentifier) {
        return new RunMicrovmRequest(imageIdentifier, null, null, null, null, null, null, null, null);
    }

    public RunMicrovmRequest withImageVersion(String v) {
        return new RunMicrovmRequest(imageIdentifier, v, executionRoleArn, idlePolicy, runHookPayload,
                maximumDurationInSeconds, clientToken, ingressNetworkConnectors, egressNetworkConnectors);
    }

    public RunMicrovmRequest withIdlePolicy(IdlePolicy p) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, p, runHookPayload,
                maximumDurationInSeconds, clientToken, ingressNetworkConnectors, egressNetworkConnectors);
    }

    public RunMicrovmRequest withMaximumDurationInSeconds(Integer seconds) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, runHookPayload,
                seconds, clientToken, ingressNetworkConnectors, egressNetworkConnectors);
    }

    /** The body of the image's run hook (docs/hooks.md): at most 16 KiB of UTF-8. */
    public RunMicrovmRequest withRunHookPayload(String payload) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, payload,
                maximumDurationInSeconds, clientToken, ingressNetworkConnectors, egressNetworkConnectors);
    }

    public RunMicrovmRequest withClientToken(String token) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, runHookPayload,
                maximumDurationInSeconds, token, ingressNetworkConnectors, egressNetworkConnectors);
    }

    /** An Ember role's ARN ({@code arn:aws:iam::<tenantId>:role/<name>}, from {@code putRole}): the secrets the microVM may read. */
    public RunMicrovmRequest withExecutionRoleArn(String roleArn) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, roleArn, idlePolicy, runHookPayload,
                maximumDurationInSeconds, clientToken, ingressNetworkConnectors, egressNetworkConnectors);
    }

    /** ARNs of ingress connectors (e.g. {@link NetworkConnector#SHELL_INGRESS}); none: HTTP_INGRESS. */
    public RunMicrovmRequest withIngressNetworkConnectors(List<String> arns) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, runHookPayload,
                maximumDurationInSeconds, clientToken, arns == null ? null : List.copyOf(arns), egressNetworkConnectors);
    }

    /** ARNs of egress connectors (at most one: INTERNET_EGRESS or a network connector's); none: the image's, else INTERNET_EGRESS. */
    public RunMicrovmRequest withEgressNetworkConnectors(List<String> arns) {
        return new RunMicrovmRequest(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, runHookPayload,
                maximumDurationInSeconds, clientToken, ingressNetworkConnectors, arns == null ? null : List.copyOf(arns));
    }
}
