package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line parts of file-backed RAM and restore. */
class SnapshotCommandTest {
    static final VmSpec SPEC = QemuCommandTest.spec("h", List.of());
    static final VmFiles FILES = new VmFiles(SPEC.workDir());

    private static String after(List<String> cmd, String flag) {
        return cmd.get(cmd.indexOf(flag) + 1);
    }

    @Test
    void coldBoot_mapsTheRamFileOfTheWorkDirShared_whenConfigured() {
        List<String> c = QemuCommand.build(QemuConfig.defaults().withFileBackedMemory(true), Accelerator.TCG, 0, SPEC, FILES);
        assertThat(after(c, "-M")).isEqualTo("microvm,x-option-roms=off,rtc=on,isa-serial=on,memory-backend=mem");
        assertThat(after(c, "-object"))
                .isEqualTo("memory-backend-file,id=mem,size=256M,mem-path=/var/lib/ember/vms/mvm-1/mem.ram,share=on");
        assertThat(after(c, "-m")).isEqualTo("256");
        assertThat(c).doesNotContain("-incoming");
    }

    @Test
    void anonymousRam_byDefault() {
        List<String> c = QemuCommand.build(QemuConfig.defaults(), Accelerator.TCG, 0, SPEC, FILES);
        assertThat(after(c, "-M")).isEqualTo("microvm,x-option-roms=off,rtc=on,isa-serial=on");
        assertThat(c).doesNotContain("-object");
        assertThat(new QemuConfig("q", "i", Accelerator.TCG, List.of()).fileBackedMemory()).isFalse();
    }

    @Test
    void clone_mapsTheSnapshotRamPrivately_andWaitsForTheIncomingState() {
        var boot = new QemuCommand.Boot(Path.of("/snap,1/mem.ram"), false, Path.of("/vms/c/disk.qcow2"), true);
        List<String> c = QemuCommand.build(QemuConfig.defaults().withFileBackedMemory(true), Accelerator.TCG, 0, SPEC, FILES, boot);
        assertThat(after(c, "-object")).isEqualTo("memory-backend-file,id=mem,size=256M,mem-path=/snap,,1/mem.ram,share=off");
        assertThat(after(c, "-drive")).startsWith("id=root,file=/vms/c/disk.qcow2,");
        assertThat(after(c, "-incoming")).isEqualTo("defer");
    }

}
