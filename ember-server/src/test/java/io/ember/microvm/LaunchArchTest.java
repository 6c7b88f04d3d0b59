package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.vmm.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A microVM's architecture after a restart, read from the snapshot manifests it has (the store has no column). */
class LaunchArchTest {
    @TempDir
    Path tmp;

    private Path snapshot(String name, String archField) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("vmstate"), "s");
        Files.writeString(d.resolve("disk.qcow2"), "d");
        Files.writeString(d.resolve("snapshot.json"), "{\"vcpus\":1,\"memoryMib\":128,\"memoryInFile\":false" + archField + "}");
        return d;
    }

    @Test
    void archOf_readsTheVmsOwnSnapshot_thenItsTemplate_thenTheSnapshotBesideItsDisk_elseX86() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path arm = snapshot("arm", ",\"arch\":\"aarch64\"");
        Path old = snapshot("old", ""); // written before arm64 guests: x86-64
        assertThat(Machine.Launch.archOf(empty, null, null)).isEqualTo(Arch.X86_64);
        assertThat(Machine.Launch.archOf(null, null, null)).isEqualTo(Arch.X86_64);
        assertThat(Machine.Launch.archOf(arm, null, null)).as("suspended: its own snapshot").isEqualTo(Arch.ARM64);
        assertThat(Machine.Launch.archOf(empty, null, arm)).as("a clone: its image's snapshot").isEqualTo(Arch.ARM64);
        assertThat(Machine.Launch.archOf(old, null, arm)).as("its own snapshot first").isEqualTo(Arch.X86_64);
        Path version = Files.createDirectories(tmp.resolve("version"));
        Files.move(arm, version.resolve("snapshot"));
        assertThat(Machine.Launch.archOf(empty, version.resolve("rootfs.ext4"), null)).as("a built image booted cold")
                .isEqualTo(Arch.ARM64);
        assertThat(new Machine.Launch(null, null, null, null, null, null).arch()).isEqualTo(Arch.X86_64);
    }
}
