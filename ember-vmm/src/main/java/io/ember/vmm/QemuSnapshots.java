package io.ember.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Save and restore through QMP migration to a file (docs/vmm.md, "Snapshots"). With file-backed shared
 * RAM and the {@code x-ignore-shared} capability the RAM stays in its file and only the device state
 * (tens of KB) is written; private or anonymous RAM goes into the state file.
 */
final class QemuSnapshots {
    private static final Logger log = LoggerFactory.getLogger(QemuSnapshots.class);
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(120);
    /** Bytes per second: 1 TiB/s, i.e. no throttling. */
    static final long UNTHROTTLED = 1L << 40;

    private final QemuDriver driver;

    QemuSnapshots(QemuDriver driver) {
        this.driver = driver;
    }

    Snapshot save(Vm vm, Path dir) throws VmmException {
        if (!(vm instanceof QemuVm qvm)) throw new VmmException("not a QEMU VM: " + vm);
        if (vm.exited().isDone()) throw new VmmException(vm.vmId() + ": the VMM has exited; nothing to save");
        VmFiles files = qvm.files();
        Path target = dir.toAbsolutePath().normalize();
        Path tmpState = target.resolve(Snapshot.VMSTATE + ".tmp");
        Path memory, disk;
        int vcpus, memoryMib;
        boolean shared, backend, nic;
        Arch arch;
        try {
            Files.createDirectories(target);
            if (!target.equals(files.dir()))
                for (String f : new String[] {Snapshot.VMSTATE, Snapshot.MEMORY, Snapshot.DISK, Snapshot.MANIFEST})
                    if (Files.exists(target.resolve(f))) throw new VmmException("snapshot directory " + target + " already holds " + f);
            for (String f : new String[] {Snapshot.MANIFEST, Snapshot.VMSTATE, tmpState.getFileName().toString()})
                Files.deleteIfExists(target.resolve(f));
        } catch (IOException e) {
            throw new VmmException("cannot prepare snapshot directory " + target + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        try (Qmp qmp = Qmp.connect(files.qmp(), QMP_TIMEOUT)) {
            memory = sharedMemoryFile(qmp);
            shared = memory != null;
            backend = shared || hasMemoryBackend(qmp);
            disk = rootDisk(qmp);
            nic = !qmp.execute("query-rx-filter", Map.of(), QMP_TIMEOUT).isEmpty(); // the NICs, whatever their backend
            String emulated = qmp.execute("query-target", Map.of(), QMP_TIMEOUT).path("arch").asText();
            arch = Arch.ofQemuName(emulated);
            if (arch == null) throw new VmmException(vm.vmId() + ": the VMM emulates " + emulated + ", not a known architecture");
            vcpus = qmp.execute("query-cpus-fast", Map.of(), QMP_TIMEOUT).size();
            memoryMib = (int) (qmp.execute("query-memory-size-summary", Map.of(), QMP_TIMEOUT).path("base-memory").asLong() >> 20);
            qmp.execute("stop", Map.of(), QMP_TIMEOUT); // also drains and flushes the disk (bdrv_flush_all)
            try {
                // Both ends must agree on the capability (it changes the stream), and a destination that has it
                // refuses pages for its own shared RAM: so on only when the RAM stays in its file. Set it either
                // way: a restored VMM still has it from its own incoming migration.
                ignoreShared(qmp, shared);
                // QEMU throttles migration to 128 MiB/s by default (made for live migration over a network, next to a
                // running guest). The guest is stopped and the target is a local file: write as fast as the disk takes it.
                qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", UNTHROTTLED), QMP_TIMEOUT);
                MigrationPipe.Receiver pipe = MigrationPipe.receive(files.dir(), tmpState, maxStateBytes(memoryMib, shared));
                try {
                    qmp.execute("migrate", Map.of("uri", pipe.uri()), QMP_TIMEOUT);
                    awaitMigration(qmp, "save");
                    pipe.await(QMP_TIMEOUT);
                } finally {
                    pipe.cancel();
                }
            } catch (IOException | VmmException e) {
                // Nothing was written to the RAM file or disk: the guest may go on as if nothing happened.
                try {
                    qmp.execute("cont", Map.of(), QMP_TIMEOUT);
                } catch (IOException ce) {
                    log.warn("{}: cont after a failed save failed too: {}", vm.vmId(), ce.getMessage());
                }
                deleteQuietly(tmpState); // a partial state file of up to the RAM's size must not stay behind
                throw e;
            }
        } catch (IOException e) {
            throw new VmmException(vm.vmId() + ": snapshot failed: " + e.getMessage(), e);
        }
        long saved = System.nanoTime(); // the pipe has written the whole stream (it returned after QEMU closed it)
        CrashPoint.reach("save.after-migrate");
        // The guest is stopped and its whole state is out: make it durable while the VMM still holds the guest, so
        // that no moment exists where the VMM is gone and the snapshot is not yet whole (a crash there lost both).
        // Once the migration completed QEMU has released the disk (inactive) and the stopped guest writes no RAM.
        Snapshot snap = new Snapshot(target, vcpus, memoryMib, shared, backend, nic, arch);
        boolean moved = false;
        try {
            Durable.fsync(tmpState);
            Files.move(tmpState, target.resolve(Snapshot.VMSTATE), StandardCopyOption.ATOMIC_MOVE);
            moved = !target.equals(files.dir());
            if (shared) moveInto(memory, target.resolve(Snapshot.MEMORY));
            moveInto(disk, target.resolve(Snapshot.DISK));
            Durable.fsync(target);
            if (!target.equals(files.dir())) Durable.fsync(files.dir());
            snap.writeManifest();
        } catch (IOException e) {
            notSaved(qvm, target, tmpState, moved);
            throw new VmmException(vm.vmId() + ": cannot complete snapshot in " + target + ": " + e.getMessage(), e);
        }
        CrashPoint.reach("save.after-manifest");
        vm.terminate(Duration.ofSeconds(10)); // the snapshot is whole: the VMM may go (it changes nothing on its way out)
        log.info("{}: saved to {} (state {} ms, durable {} ms, RAM {})", vm.vmId(), target,
                (saved - t0) / 1_000_000, (System.nanoTime() - saved) / 1_000_000,
                shared ? "in mem.ram" : "in vmstate");
        return snap;
    }

    /**
     * QEMU reports the migration completed once it has handed the last bytes to the writer process it spawned for the
     * URI; the writer may still be writing them. The file is whole only when no child of QEMU is left.
     */
    /**
     * The state could not be made durable. Saved in place, the guest's own files are untouched: it goes on and the
     * partial files are removed. Files moved elsewhere (an image snapshot) leave it nothing to go on with: it is ended.
     */
    private static void notSaved(QemuVm vm, Path target, Path tmpState, boolean moved) {
        for (String f : new String[] {Snapshot.MANIFEST, Snapshot.MANIFEST + ".tmp", Snapshot.VMSTATE})
            deleteQuietly(target.resolve(f));
        deleteQuietly(tmpState);
        if (moved) {
            vm.terminate(Duration.ofSeconds(10));
            return;
        }
        try (Qmp qmp = Qmp.connect(vm.files().qmp(), QMP_TIMEOUT)) {
            qmp.execute("cont", Map.of(), QMP_TIMEOUT);
        } catch (IOException ce) {
            log.warn("{}: cont after a failed save failed too: {}", vm.vmId(), ce.getMessage());
        }
    }

    /** The RAM file when the guest RAM is a shared file mapping (left out of the state by x-ignore-shared); else null. */
    private static Path sharedMemoryFile(Qmp qmp) throws IOException {
        for (JsonNode m : qmp.execute("query-memdev", Map.of(), QMP_TIMEOUT))
            if (m.path("id").asText().equals("mem") && m.path("share").asBoolean()) {
                String path = qmp.execute("qom-get", Map.of("path", "/objects/mem", "property", "mem-path"), QMP_TIMEOUT).asText();
                if (!path.startsWith("/")) throw new IOException("unexpected RAM file path '" + path + "'");
                return Path.of(path);
            }
        return null;
    }

    private static boolean hasMemoryBackend(Qmp qmp) throws IOException {
        for (JsonNode m : qmp.execute("query-memdev", Map.of(), QMP_TIMEOUT))
            if (m.path("id").asText().equals("mem")) return true;
        return false;
    }

    private static Path rootDisk(Qmp qmp) throws IOException {
        for (JsonNode b : qmp.execute("query-block", Map.of(), QMP_TIMEOUT))
            if (b.path("device").asText().equals("root")) {
                String file = b.path("inserted").path("file").asText();
                if (file.startsWith("/")) return Path.of(file);
            }
        throw new IOException("the VM has no root disk file");
    }

    private static void moveInto(Path from, Path to) throws IOException {
        if (!from.equals(to)) {
            // Into an image: the file stops being the VM's (a jailed VMM owned it). A link there is refused: the VMM
            // could have put one in place of its disk to have the host move, and later share, another file.
            if (!Files.isRegularFile(from, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                throw new IOException(from + " is not a regular file");
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE); // same file system, or it fails
            Files.setAttribute(to, "unix:uid", 0, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(to, "unix:gid", 0, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        Durable.fsync(to); // QEMU wrote through the page cache (share=on) and flushed the disk only to the OS
    }

    /** The files of a snapshot a clone reads (never writes): its disk, and its RAM file when the RAM is in one. */
    private static List<Path> snapshotFiles(Snapshot snap) {
        return snap.memoryInFile() ? List.of(snap.disk(), snap.memory()) : List.of(snap.disk());
    }

    /** What a save may write at most: the RAM (when it is in the stream) and a margin for device state. */
    static long maxStateBytes(int memoryMib, boolean ramInFile) {
        return (ramInFile ? 0 : (long) memoryMib << 20) + (256L << 20);
    }

    Vm restorePaused(VmSpec spec, Snapshot snap, boolean privateMemory) throws VmmException {
        if (spec.vcpus() != snap.vcpus() || spec.memoryMib() != snap.memoryMib())
            throw new VmmException("snapshot " + snap.dir() + " has " + snap.vcpus() + " vCPUs and " + snap.memoryMib()
                    + " MiB; the spec asks for " + spec.vcpus() + " and " + spec.memoryMib());
        if (spec.arch() != snap.arch())
            throw new VmmException("snapshot " + snap.dir() + " is of an " + snap.arch() + " machine; the spec is " + spec.arch());
        VmFiles files = new VmFiles(spec.workDir());
        QemuDriver.prepareDir(files);
        Path disk = snap.disk();
        try {
            if (privateMemory) {
                if (snap.dir().equals(files.dir())) throw new VmmException("a clone needs its own work directory, not the snapshot's");
                if (Files.exists(files.disk())) throw new VmmException(files.dir() + " already holds a disk; a clone starts from a fresh one");
                disk = files.disk();
                driver.createOverlay(snap.disk(), "qcow2", disk); // the snapshot's disk stays read-only under it
            }
            if (!snap.memoryInFile()) Files.deleteIfExists(files.memory());
        } catch (IOException e) {
            throw new VmmException("cannot prepare " + files.dir() + ": " + e.getMessage(), e);
        }
        // The RAM block's name is in the state: a backend ("mem") only where the saved VM had one.
        QemuCommand.Boot boot = (snap.memoryInFile() ? new QemuCommand.Boot(snap.memory(), !privateMemory, disk, true)
                : !snap.memoryBackend() ? new QemuCommand.Boot(null, true, disk, true, false)
                : new QemuCommand.Boot(driver.config().fileBackedMemory() ? files.memory() : null, true, disk, true, true))
                .withNic(snap.nic()); // the device set is part of the state: a NIC iff the saved machine had one
        Nic tap = snap.nic() ? QemuDriver.tapOf(spec.nic()) : null;
        if (!snap.nic() && spec.nic() != null)
            log.info("{}: snapshot {} has no network device; restored without one", spec.vmId(), snap.dir());
        List<String> cmd;
        try {
            cmd = QemuCommand.build(driver.config(), driver.resolve(), driver.tscKhz(), spec, files, boot);
        } catch (IllegalArgumentException e) {
            throw new VmmException(e.getMessage(), e);
        }
        QemuVm vm;
        try {
            List<Path> reads = snap.dir().equals(files.dir()) ? List.of() : snapshotFiles(snap);
            Path privateRam = snap.memoryInFile() && privateMemory ? snap.memory() : null;
            vm = driver.start(spec, files, cmd, "inmigrate", reads, privateRam, tap);
        } catch (VmmException e) {
            if (privateMemory) deleteQuietly(disk);
            throw e;
        }
        try (Qmp qmp = Qmp.connect(files.qmp(), QMP_TIMEOUT)) {
            ignoreShared(qmp, snap.memoryInFile());
            // No self-announce after the load (RARPs from the NIC, and the guest asked to send gratuitous ARPs): it
            // tells switches where a live-migrated VM went, but a microVM's tap is a link of its own with no switch to
            // tell. Measured: 35 ms of a resume's 70 ms network cost (docs/network.md, "Figures").
            if (snap.nic()) qmp.execute("migrate-set-parameters", Map.of("announce-rounds", 0), QMP_TIMEOUT);
            Path incoming = files.dir().resolve("incoming.sock");
            Files.deleteIfExists(incoming);
            qmp.execute("migrate-incoming", Map.of("uri", "unix:" + incoming), QMP_TIMEOUT);
            MigrationPipe.send(snap.vmstate(), incoming, QMP_TIMEOUT);
            awaitMigration(qmp, "restore"); // the source was stopped, so the guest arrives paused
            Files.deleteIfExists(incoming);
            if (!privateMemory) {
                // Resumed in place: its RAM file and disk are about to change, so this snapshot is over. The
                // manifest goes first: no crash can leave a manifest next to files that no longer match it.
                Files.deleteIfExists(snap.dir().resolve(Snapshot.MANIFEST));
                Files.deleteIfExists(snap.vmstate());
                Durable.fsync(snap.dir());
            }
            return vm;
        } catch (IOException | VmmException e) {
            vm.terminate(Duration.ofSeconds(1));
            if (privateMemory) deleteQuietly(disk);
            throw new VmmException(spec.vmId() + ": restore from " + snap.dir() + " failed: " + e.getMessage()
                    + QemuDriver.qemuLog(files), e);
        }
    }

    void resume(Vm vm) throws VmmException {
        if (!(vm instanceof QemuVm qvm)) throw new VmmException("not a QEMU VM: " + vm);
        try (Qmp qmp = Qmp.connect(qvm.files().qmp(), QMP_TIMEOUT)) {
            cancelOutgoing(qmp);
            qmp.execute("cont", Map.of(), QMP_TIMEOUT);
        } catch (IOException e) {
            throw new VmmException(vm.vmId() + ": cannot resume: " + e.getMessage(), e);
        }
    }

    /**
     * A save interrupted by a server crash may still be migrating (its writer outlived the server): were the guest let
     * run, the migration would go on live and stop the guest again when it completes. So it is cancelled first.
     */
    private static void cancelOutgoing(Qmp qmp) throws IOException {
        String status = qmp.execute("query-migrate", Map.of(), QMP_TIMEOUT).path("status").asText("none");
        if (!List.of("setup", "active", "device", "pre-switchover", "cancelling").contains(status)) return;
        qmp.execute("migrate_cancel", Map.of(), QMP_TIMEOUT);
        long deadline = System.nanoTime() + QMP_TIMEOUT.toNanos();
        while (qmp.execute("query-migrate", Map.of(), QMP_TIMEOUT).path("status").asText().matches("active|cancelling|device|setup")
                && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted cancelling a migration", e);
            }
        }
    }

    private static void ignoreShared(Qmp qmp, boolean on) throws IOException {
        qmp.execute("migrate-set-capabilities",
                Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", on))), QMP_TIMEOUT);
    }

    /** Polls query-migrate until completed; a failed or cancelled migration, or the deadline, is an error. */
    private static void awaitMigration(Qmp qmp, String what) throws IOException, VmmException {
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        while (true) {
            JsonNode info = qmp.execute("query-migrate", Map.of(), QMP_TIMEOUT);
            String status = info.path("status").asText("none");
            switch (status) {
                case "completed" -> { return; }
                case "failed", "cancelled" -> throw new VmmException(what + ": migration " + status
                        + (info.has("error-desc") ? ": " + info.path("error-desc").asText() : ""));
                default -> {}
            }
            if (System.nanoTime() - deadline > 0)
                throw new VmmException(what + ": migration still " + status + " after " + MIGRATION_TIMEOUT.toSeconds() + " s");
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmmException(what + ": interrupted", e);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }

}
