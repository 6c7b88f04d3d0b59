package io.ember.metering;

/** What a metered interval bills (docs/metering.md). */
public enum UsageKind {
    /** A VMM process exists: its vCPUs and memory are billed, per second. */
    RUNNING,
    /** No process, only the snapshot on disk: its bytes are billed, compute is free. */
    SUSPENDED
}
