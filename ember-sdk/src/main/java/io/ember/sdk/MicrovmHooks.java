package io.ember.sdk;

/**
 * The hooks called around a microVM's lifecycle (the model's MicrovmHooks, docs/hooks.md), at
 * {@code POST /aws/lambda-microvms/runtime/v1/<hook>}: {@code run} (with RunMicrovm's runHookPayload) before it is
 * RUNNING, {@code suspend} before its snapshot, {@code resume} after a restore, {@code terminate} before it ends.
 * Timeouts are 1 to 60 seconds (default 1 for an ENABLED hook, as AWS's).
 */
public record MicrovmHooks(HookState run, Integer runTimeoutInSeconds, HookState suspend, Integer suspendTimeoutInSeconds,
                           HookState resume, Integer resumeTimeoutInSeconds, HookState terminate,
                           Integer terminateTimeoutInSeconds) {

    /** All four hooks ENABLED with the same timeout (null: the server's default). */
    public static MicrovmHooks allEnabled(Integer timeoutInSeconds) {
        return new MicrovmHooks(HookState.ENABLED, timeoutInSeconds, HookState.ENABLED, timeoutInSeconds, HookState.ENABLED,
                timeoutInSeconds, HookState.ENABLED, timeoutInSeconds);
    }

    public MicrovmHooks withRun(HookState state, Integer timeoutInSeconds) {
        return new MicrovmHooks(state, timeoutInSeconds, suspend, suspendTimeoutInSeconds, resume, resumeTimeoutInSeconds,
                terminate, terminateTimeoutInSeconds);
    }

    public MicrovmHooks withSuspend(HookState state, Integer timeoutInSeconds) {
        return new MicrovmHooks(run, runTimeoutInSeconds, state, timeoutInSeconds, resume, resumeTimeoutInSeconds,
                terminate, terminateTimeoutInSeconds);
    }

    public MicrovmHooks withResume(HookState state, Integer timeoutInSeconds) {
        return new MicrovmHooks(run, runTimeoutInSeconds, suspend, suspendTimeoutInSeconds, state, timeoutInSeconds,
                terminate, terminateTimeoutInSeconds);
    }

    public MicrovmHooks withTerminate(HookState state, Integer timeoutInSeconds) {
        return new MicrovmHooks(run, runTimeoutInSeconds, suspend, suspendTimeoutInSeconds, resume, resumeTimeoutInSeconds,
                state, timeoutInSeconds);
    }
}
