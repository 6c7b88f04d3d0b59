package io.ember.microvm;

/** Why a transition happened; recorded with every event. */
public enum Cause {
    /** An API call (RunMicrovm, TerminateMicrovm). */
    USER,
    /** The guest agent answered: boot completed. */
    BOOT,
    /** The VMM process died or the agent channel broke. */
    FAILURE,
    /** maximumDurationInSeconds passed. */
    LIFETIME,
    /** The server restarted and re-examined the microVM. */
    RECONCILE
}
