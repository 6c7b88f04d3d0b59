package io.ember.vmm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What the driver keeps in a VM's work directory. */
record VmFiles(Path dir) {
    static final int MAX_SOCKET_PATH = 107; // sun_path is 108 bytes with the terminating NUL

    VmFiles {
        dir = dir.toAbsolutePath().normalize();
    }

    Path disk() { return dir.resolve("disk.qcow2"); }

    Path qmp() { return dir.resolve("qmp.sock"); }

    Path agent() { return dir.resolve("agent.sock"); }

    Path console() { return dir.resolve("console.sock"); }

    Path consoleLog() { return dir.resolve("console.log"); }

    Path pidFile() { return dir.resolve("qemu.pid"); }

    Path qemuLog() { return dir.resolve("qemu.log"); }

    /** Guest RAM when file-backed (sparse: only pages the guest touched take blocks). */
    Path memory() { return dir.resolve(Snapshot.MEMORY); }

    /** The longest socket path, which must fit in sun_path. */
    int longestSocketPath() {
        int n = 0;
        for (Path p : new Path[] {qmp(), agent(), console()})
            n = Math.max(n, p.toString().getBytes(StandardCharsets.UTF_8).length);
        return n;
    }
}
