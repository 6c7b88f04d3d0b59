package io.ember.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A saved machine (see {@link Snapshots}): the files are in {@code dir}.
 *
 * @param memoryInFile true: the RAM is {@code mem.ram} (the VM had file-backed shared RAM); false: the RAM
 *     is inside {@code vmstate} (a clone or a VM with anonymous RAM)
 * @param memoryBackend the guest RAM was a memory backend object ({@code mem}) rather than the machine's own RAM:
 *     the state names its RAM block after it, so the restoring VMM must have one too (a clone's RAM is a private
 *     mapping of its image's file: its own snapshot has the RAM in {@code vmstate} under that name)
 * @param nic the saved machine had a network device: a restore has one too (on the spec's tap, or on nothing) and a
 *     restore into a spec with a NIC gets none when false (snapshots made before NICs existed: {@code "nic"} absent)
 * @param arch the saved machine's architecture (QMP {@code query-target}); a restore needs a spec of the same one
 *     ({@code "arch"} absent: snapshots made before arm64 guests, all x86-64)
 */
public record Snapshot(Path dir, int vcpus, int memoryMib, boolean memoryInFile, boolean memoryBackend, boolean nic, Arch arch) {
    public static final String VMSTATE = "vmstate", MEMORY = "mem.ram", DISK = "disk.qcow2", MANIFEST = "snapshot.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Snapshot {
        dir = dir.toAbsolutePath().normalize();
        if (memoryInFile) memoryBackend = true;
        if (arch == null) arch = Arch.X86_64;
    }

    public Snapshot(Path dir, int vcpus, int memoryMib, boolean memoryInFile, boolean memoryBackend, boolean nic) {
        this(dir, vcpus, memoryMib, memoryInFile, memoryBackend, nic, Arch.X86_64);
    }

    public Snapshot(Path dir, int vcpus, int memoryMib, boolean memoryInFile) {
        this(dir, vcpus, memoryMib, memoryInFile, memoryInFile, false);
    }

    public Path vmstate() { return dir.resolve(VMSTATE); }

    public Path memory() { return dir.resolve(MEMORY); }

    public Path disk() { return dir.resolve(DISK); }

    /** Reads the manifest {@link Snapshots#save} wrote; fails when the snapshot is incomplete. */
    public static Snapshot load(Path dir) throws VmmException {
        Path manifest = dir.resolve(MANIFEST);
        try {
            JsonNode m; // a jailed VMM owns this directory: never follow a link it may have put there
            try (var in = Files.newInputStream(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                m = JSON.readTree(in.readNBytes(64 * 1024));
            }
            Snapshot s = new Snapshot(dir, m.path("vcpus").asInt(), m.path("memoryMib").asInt(), m.path("memoryInFile").asBoolean(),
                    m.path("memoryBackend").asBoolean(m.path("memoryInFile").asBoolean()), m.path("nic").asBoolean(false),
                    m.has("arch") ? Arch.ofQemuName(m.path("arch").asText()) : Arch.X86_64);
            if (s.arch() == null || (m.has("arch") && !s.arch().qemuName().equals(m.path("arch").asText())))
                throw new VmmException("snapshot manifest " + manifest + " names an unknown architecture " + m.path("arch"));
            for (Path p : s.memoryInFile() ? new Path[] {s.vmstate(), s.disk(), s.memory()} : new Path[] {s.vmstate(), s.disk()})
                if (!Files.isRegularFile(p)) throw new VmmException("snapshot " + dir + " is incomplete: " + p.getFileName() + " missing");
            if (s.vcpus() < 1 || s.memoryMib() < 64) throw new VmmException("snapshot manifest " + manifest + " is invalid");
            return s;
        } catch (IOException e) {
            throw new VmmException("cannot read snapshot " + manifest + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code dir} holds a whole snapshot ({@link #load} would succeed). */
    public static boolean isWhole(Path dir) {
        try {
            load(dir);
            return true;
        } catch (VmmException e) {
            return false;
        }
    }

    /** The manifest: written last, so a snapshot with a manifest is whole. */
    void writeManifest() throws IOException {
        String text = JSON.createObjectNode().put("vcpus", vcpus).put("memoryMib", memoryMib).put("memoryInFile", memoryInFile)
                .put("memoryBackend", memoryBackend).put("nic", nic).put("arch", arch.qemuName()).toString();
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        Files.deleteIfExists(tmp); // a link a jailed VMM left there goes, it is not written through
        Files.writeString(tmp, text, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Durable.fsync(tmp);
        Files.move(tmp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Durable.fsync(dir);
    }
}
