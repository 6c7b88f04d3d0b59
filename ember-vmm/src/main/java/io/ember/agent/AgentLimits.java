package io.ember.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the host waits for a guest, and how much it accepts from it. A missed deadline breaks
 * the channel (the guest is not answering), it is never just a failed call.
 *
 * @param requestTimeout answer to a request: STARTED after EXEC, FILE_INFO after FILE_READ, OK after
 *     a file's end, STAT, MKDIR, a non-recursive REMOVE (a recursive one gets four times as long)
 * @param transferStallTimeout longest silence inside a transfer: next FILE_DATA or LIST_ENTRY, or
 *     credit for a FILE_WRITE
 * @param writeStallTimeout longest a write to the channel may block (a guest that stops reading)
 * @param maxListEntries entries a LIST returns before it fails with E2BIG
 */
public record AgentLimits(Duration requestTimeout, Duration transferStallTimeout, Duration writeStallTimeout,
        int maxListEntries) {

    public AgentLimits {
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(transferStallTimeout, "transferStallTimeout");
        Objects.requireNonNull(writeStallTimeout, "writeStallTimeout");
        if (maxListEntries < 1) throw new IllegalArgumentException("maxListEntries must be >= 1");
    }

    public static AgentLimits defaults() {
        return new AgentLimits(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 100_000);
    }
}
