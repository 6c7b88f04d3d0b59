package io.ember.microvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host process checks the VmmDriver interface does not offer. */
final class Processes {
    private Processes() {}

    /**
     * True when {@code pid} no longer runs: absent, or a zombie waiting for a parent to reap it
     * (an adopted VMM's parent is whatever reaps orphans here, possibly slowly).
     */
    static boolean gone(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return true;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return end > 0 && stat.length() > end + 2 && stat.charAt(end + 2) == 'Z';
        } catch (IOException e) {
            return true; // vanished between the two checks
        }
    }
}
