package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.store.ImageVersionRecord;
import io.ember.testing.Assets;
import io.ember.vmm.Arch;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog per architecture, the API's names, and a version's architecture from its request. */
class ArchitecturesTest {
    @TempDir
    Path tmp;

    @Test
    void theCatalogHasArm64Guests_onlyWhenTheirAssetsWereBuilt() throws Exception {
        ImageCatalog x86 = ImageCatalog.load(Assets.create(tmp.resolve("a")));
        assertThat(x86.arch()).isEqualTo(Arch.X86_64);
        assertThat(x86.supports(Arch.X86_64)).isTrue();
        assertThat(x86.supports(Arch.ARM64)).isFalse();
        assertThat(x86.of(Arch.X86_64)).isSameAs(x86);
        assertThatThrownBy(() -> x86.of(Arch.ARM64)).isInstanceOf(AssetsMissingException.class)
                .hasMessageContaining("ARM_64").hasMessageContaining("bin/ember setup --arch arm64");

        Path dir = Assets.withArm64(Assets.create(tmp.resolve("b")));
        ImageCatalog both = ImageCatalog.load(dir);
        assertThat(both.supports(Arch.ARM64)).isTrue();
        ImageCatalog arm = both.of(Arch.ARM64);
        assertThat(arm.arch()).isEqualTo(Arch.ARM64);
        assertThat(arm.kernel()).isEqualTo(dir.resolve("arm64/kernel/Image"));
        assertThat(arm.initrd()).isEqualTo(dir.resolve("arm64/initramfs.cpio.gz"));
        assertThat(arm.find("busybox").orElseThrow().rootfs()).isEqualTo(dir.resolve("arm64/images/busybox/rootfs.ext4"));
        assertThat(both.kernel()).isEqualTo(dir.resolve("kernel/vmlinux"));
        assertThat(both.find("busybox").orElseThrow().rootfs()).isEqualTo(dir.resolve("images/busybox/rootfs.ext4"));
        assertThat(both.images()).extracting(ManagedImage::name).containsExactly("busybox", "debian");
    }

    @Test
    void apiNames_andAVersionsArchitecture_defaultingToTheHosts() throws Exception {
        assertThat(HostInfo.parseArchitecture("ARM_64")).isEqualTo(Arch.ARM64);
        assertThat(HostInfo.parseArchitecture("X86_64")).isEqualTo(Arch.X86_64);
        assertThat(HostInfo.parseArchitecture("arm64")).isNull();
        assertThat(HostInfo.apiName(Arch.ARM64)).isEqualTo("ARM_64");
        assertThat(HostInfo.apiName(Arch.X86_64)).isEqualTo("X86_64");
        assertThat(HostInfo.chipset(Arch.ARM64)).isEqualTo("GRAVITON");
        assertThat(HostInfo.chipsetGeneration(Arch.ARM64)).doesNotContainAnyWhitespaces();

        var json = new ObjectMapper();
        assertThat(ImageArchitecture.of(json.readTree("{\"cpuConfigurations\":[{\"architecture\":\"ARM_64\"}]}"))).isEqualTo(Arch.ARM64);
        assertThat(ImageArchitecture.of(json.readTree("{\"cpuConfigurations\":[{\"architecture\":\"X86_64\"}]}"))).isEqualTo(Arch.X86_64);
        assertThat(ImageArchitecture.of(json.readTree("{}"))).isEqualTo(HostInfo.defaultArch()).isEqualTo(Arch.host());
        assertThat(ImageArchitecture.of(json.readTree("{\"cpuConfigurations\":[]}"))).isEqualTo(HostInfo.defaultArch());
        ImageVersionRecord v = new ImageVersionRecord("img-1", 1, "SUCCESSFUL", "ACTIVE", null,
                "{\"cpuConfigurations\":[{\"architecture\":\"ARM_64\"}]}", 1, 128, null, Instant.now(), null, null, null, null, null);
        assertThat(ImageArchitecture.of(v)).isEqualTo(Arch.ARM64);
    }
}
