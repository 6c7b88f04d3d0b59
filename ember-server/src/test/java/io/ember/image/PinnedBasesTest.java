package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinnedBasesTest {
    @TempDir
    Path tmp;

    @Test
    void shouldKeepTheDiskAMicrovmWasLaunchedOverWhenTheAssetIsRebuilt() throws Exception {
        Path asset = tmp.resolve("assets/images/busybox/rootfs.ext4");
        Files.createDirectories(asset.getParent());
        Files.writeString(asset, "old disk");
        PinnedBases bases = new PinnedBases(tmp.resolve("data"));

        Path first = bases.pin("busybox", asset);
        assertThat(first).startsWith(tmp.resolve("data/bases")).hasContent("old disk");
        assertThat(bases.pin("busybox", asset)).as("one pin per asset version").isEqualTo(first);

        // setup publishes a rebuilt disk by renaming a new file over the old path
        Path rebuilt = asset.resolveSibling("rootfs.ext4.new");
        Files.writeString(rebuilt, "new disk, other size");
        Files.setLastModifiedTime(rebuilt, FileTime.fromMillis(Files.getLastModifiedTime(asset).toMillis() + 5000));
        Files.move(rebuilt, asset, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        Path second = bases.pin("busybox", asset);
        assertThat(second).isNotEqualTo(first).hasContent("new disk, other size");
        assertThat(first).as("microVMs launched before the rebuild keep their base").hasContent("old disk");
        try (var files = Files.list(tmp.resolve("data/bases"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
