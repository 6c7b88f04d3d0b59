package io.ember.microvm;

import io.ember.image.HostDisk;
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
 * @param disk the free disk a launch or a suspend must leave (docs/snapshots.md, "Free disk")
 * @param minIdleSeconds the least {@code idlePolicy.maxIdleDurationSeconds} RunMicrovm takes: AWS's 60 unless the
 *                       operator lowers it ({@code ember server --min-idle-duration-seconds}; tests of the idle policy)
 */
public record MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                              Duration terminateGrace, Duration reconnectTimeout, Duration idleTick, HostDisk disk,
                              int minIdleSeconds) {

    /** AWS's minimum of IdlePolicy.maxIdleDurationSeconds. */
    public static final int AWS_MIN_IDLE_SECONDS = 60;

    public MicrovmSettings {
        if (maxRunningVms < 1) throw new IllegalArgumentException("maxRunningVms must be >= 1");
        if (idleTick.isNegative() || idleTick.isZero()) throw new IllegalArgumentException("idleTick must be > 0");
        if (minIdleSeconds < 1) throw new IllegalArgumentException("minIdleSeconds must be >= 1");
    }

    public MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                           Duration terminateGrace, Duration reconnectTimeout, Duration idleTick, HostDisk disk) {
        this(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout, idleTick, disk,
                AWS_MIN_IDLE_SECONDS);
    }

    /** Without a free disk check (tests of other things). */
    public MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                           Duration terminateGrace, Duration reconnectTimeout, Duration idleTick) {
        this(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout, idleTick, HostDisk.UNCHECKED);
    }

    public MicrovmSettings(Path dataDir, int maxRunningVms, Duration bootTimeout, Duration runningWait,
                           Duration terminateGrace, Duration reconnectTimeout) {
        this(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout, Duration.ofSeconds(1));
    }

    public static MicrovmSettings defaults(Path dataDir, int maxRunningVms) {
        return new MicrovmSettings(dataDir, maxRunningVms, Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                new HostDisk(HostDisk.DEFAULT_RESERVE_MIB << 20));
    }

    public MicrovmSettings withDisk(HostDisk value) {
        return new MicrovmSettings(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout,
                idleTick, value, minIdleSeconds);
    }

    public MicrovmSettings withMinIdleSeconds(int value) {
        return new MicrovmSettings(dataDir, maxRunningVms, bootTimeout, runningWait, terminateGrace, reconnectTimeout,
                idleTick, disk, value);
    }
}
