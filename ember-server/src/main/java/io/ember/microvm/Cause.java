package io.ember.microvm;

/** Why a transition happened; recorded with every event. */
public enum Cause {
    /** An API call (RunMicrovm, SuspendMicrovm, ResumeMicrovm, TerminateMicrovm). */
    USER,
    /** The guest agent answered: boot or resume completed. */
    BOOT,
    /** The VMM process died, the agent channel broke, or a snapshot could not be written or read. */
    FAILURE,
    /** maximumDurationInSeconds passed. */
    LIFETIME,
    /** The idle policy: maxIdleDurationSeconds without requests, or suspendedDurationSeconds asleep. */
    IDLE,
    /** A request that needs the guest (exec, files) woke a SUSPENDED microVM (autoResumeEnabled). */
    REQUEST,
    /** The server restarted and re-examined the microVM. */
    RECONCILE,
    /**
     * A lifecycle hook of the image's application was called (docs/hooks.md): its outcome, in an event that moves
     * nothing (fromState = toState). A run hook that fails then terminates the microVM with cause FAILURE.
     */
    HOOK
}
