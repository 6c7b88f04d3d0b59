package io.ember.microvm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param dataDir holds {@code vms/<id>/}, one work directory per live microVM
 * @param maxRunningVms host limit on microVMs with a VMM process (neither TERMINATED nor SUSPENDED)
 * @param bootTimeout from launch to the agent's HELLO answer (TCG boots take seconds)
 * @param runningWait how long exec and file calls wait for a PENDING microVM to be RUNNING
 * @param terminateGrace how long a VMM gets to quit before it is killed
 * @param reconnectTimeout HELLO deadline when re-attaching to a VM after a server restart or a resume
 * @param idleTick how often the idle policy is checked
 */
public record MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                              Duration terminateGrace, Duration reconnectTimeout, Duration idleTick) {

    public MicrovmSettings {
        if (maxRunningVms < 1) throw new IllegalArgumentException("maxRunningVms must be >= 1");
        if (idleTick.isNegative() || idleTick.isZero()) throw new IllegalArgumentException("idleTick must be > 0");
    }

    public MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                           Duration terminateGrace, Duration reconnectTimeout) {
        this(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout, Duration.ofSeconds(1));
    }

    public static MicrovmSettings defaults(Path dataDir, int maxRunningVms) {
        return new MicrovmSettings(dataDir, maxRunningVms, Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(5), Duration.ofSeconds(10));
    }
}
