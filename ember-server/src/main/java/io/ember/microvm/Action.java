package io.ember.microvm;

/**
 * What can happen to a microVM. The API turns calls into {@link Run}, {@link Suspend}, {@link Resume}
 * and {@link Terminate} (the idle policy and lifetime raise the same ones with their own cause); the
 * server itself raises {@link Booted}, {@link Saved}, {@link SaveFailed}, {@link ResumeFailed}, {@link Fail} and
 * {@link Stopped}.
 * {@link Lifecycle#decide} says what each does in each state.
 */
public sealed interface Action {

    /**
     * Create and boot a microVM (RunMicrovm). Allowed only for a microVM that does not exist yet.
     *
     * @param runHookPayload the body of the image's run hook (docs/hooks.md); null: an empty body
     * @param ingressNetworkConnectors as given (null or empty: HTTP_INGRESS; see docs/connectors.md)
     * @param egressNetworkConnectors as given (null or empty: the image's, else INTERNET_EGRESS)
     */
    record Run(String imageIdentifier, String imageVersion, String executionRoleArn, IdlePolicy idlePolicy,
               int maximumDurationSeconds, String clientToken, String runHookPayload,
               java.util.List<String> ingressNetworkConnectors, java.util.List<String> egressNetworkConnectors) implements Action {
        public static final int MAX_DURATION_SECONDS = 28_800;
        /** The model's bound on runHookPayload, in UTF-8 bytes. */
        public static final int MAX_RUN_HOOK_PAYLOAD_BYTES = 16_384;

        /** Without a runHookPayload. */
        public Run(String imageIdentifier, String imageVersion, String executionRoleArn, IdlePolicy idlePolicy,
                   int maximumDurationSeconds, String clientToken) {
            this(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, maximumDurationSeconds, clientToken, null);
        }

        /** Without connectors: the defaults. */
        public Run(String imageIdentifier, String imageVersion, String executionRoleArn, IdlePolicy idlePolicy,
                   int maximumDurationSeconds, String clientToken, String runHookPayload) {
            this(imageIdentifier, imageVersion, executionRoleArn, idlePolicy, maximumDurationSeconds, clientToken,
                    runHookPayload, null, null);
        }

        public Run {
            if (imageIdentifier == null || imageIdentifier.isEmpty()) {
                throw new IllegalArgumentException("imageIdentifier is required");
            }
            if (maximumDurationSeconds < 1 || maximumDurationSeconds > MAX_DURATION_SECONDS) {
                throw new IllegalArgumentException("maximumDurationSeconds out of range");
            }
            if (runHookPayload != null
                    && runHookPayload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_RUN_HOOK_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("runHookPayload longer than " + MAX_RUN_HOOK_PAYLOAD_BYTES + " bytes");
            }
        }
    }

    /** Stop and discard (TerminateMicrovm with cause USER, or the lifetime timer with LIFETIME). */
    record Terminate(String microvmIdentifier, Cause cause) implements Action {}

    /** Save the microVM to disk and end its VMM (SuspendMicrovm, or the idle policy). */
    record Suspend() implements Action {}

    /** The snapshot is whole on disk and the VMM gone. */
    record Saved() implements Action {}

    /** The snapshot could not be written; the guest goes on running. */
    record SaveFailed(String reason) implements Action {}

    /** Start the VMM again from the microVM's snapshot (ResumeMicrovm, or a request that needs the guest). */
    record Resume() implements Action {}

    /** A resume failed before the snapshot was loaded: it is intact, the microVM sleeps on. */
    record ResumeFailed(String reason) implements Action {}

    /** The guest agent answered: boot or resume completed. */
    record Booted(String agentDescription) implements Action {}

    /** The VMM process died, failed to start, or the agent channel broke. */
    record Fail(String reason) implements Action {}

    /** The VMM process is gone and the work directory removed, after a Terminate. */
    record Stopped(String reason) implements Action {}
}
