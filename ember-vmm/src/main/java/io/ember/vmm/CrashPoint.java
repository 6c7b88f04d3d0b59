package io.ember.vmm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named places where a crash matters (a server killed in the middle of writing a snapshot). A process started with
 * {@code -Dember.crash.at=<name>} halts there at once, as {@code kill -9} would, so that tests can hit the window
 * deterministically and check what the next server finds. Without the property this does nothing.
 */
public final class CrashPoint {
    private static final Logger log = LoggerFactory.getLogger(CrashPoint.class);
    public static final String PROPERTY = "ember.crash.at";
    /** Exit status of the halted process (137 is what a SIGKILL gives a shell). */
    public static final int STATUS = 137;

    private CrashPoint() {}

    public static void reach(String name) {
        if (!name.equals(System.getProperty(PROPERTY))) return;
        log.error("crash point {} reached: halting ({}={})", name, PROPERTY, name);
        System.err.println("ember: crash point " + name + " reached, halting");
        System.err.flush();
        Runtime.getRuntime().halt(STATUS); // no shutdown hooks, no finally blocks: a crash
    }
}
