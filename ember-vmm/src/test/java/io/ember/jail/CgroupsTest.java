package io.ember.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each cgroup version is told, written into a directory tree shaped like /sys/fs/cgroup (these build hosts run
 * cgroup v1, so v2's files are checked here; JailedVmmTest checks the real v1 tree).
 */
class CgroupsTest {
    @TempDir
    Path root;

    static final Cgroups.Limits LIMITS = new Cgroups.Limits(225_000, 640L << 20, 512, "254:0",
            new JailConfig.IoLimits(100, 200, 30, 0));

    @Test
    void v2_enablesItsControllers_andWritesEveryLimit() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.createDirectories(root.resolve("ember"));
        Files.writeString(root.resolve("ember/cgroup.controllers"), "cpu io memory pids\n");
        Cgroups v2 = new Cgroups.V2(root, "ember");
        List<Path> dirs = v2.create("vm-1", LIMITS);
        Path dir = root.resolve("ember/vm-1");
        assertThat(dirs).containsExactly(dir);
        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids +io");
        assertThat(Files.readString(root.resolve("ember/cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids +io");
        assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("225000 100000");
        assertThat(Files.readString(dir.resolve("cpu.weight"))).as("a core's weight for each core of the quota").isEqualTo("225");
        assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(640L << 20));
        assertThat(Files.readString(dir.resolve("pids.max"))).isEqualTo("512");
        assertThat(Files.readString(dir.resolve("io.max"))).isEqualTo("254:0 rbps=100 wbps=200 riops=30");
    }

    @Test
    void v2_withoutAController_saysWhichIsMissing() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        assertThatThrownBy(() -> new Cgroups.V2(root, "ember").create("vm-1", LIMITS)).isInstanceOf(JailException.class)
                .hasMessageContaining("'io' is not available");
    }

    @Test
    void v1_writesEachControllersLimits_inItsOwnTree() throws Exception {
        Cgroups v1 = new Cgroups.V1(root, "ember");
        List<Path> dirs = v1.create("vm-1", LIMITS);
        assertThat(dirs).containsExactly(root.resolve("cpu/ember/vm-1"), root.resolve("memory/ember/vm-1"),
                root.resolve("pids/ember/vm-1"), root.resolve("blkio/ember/vm-1"));
        assertThat(Files.readString(root.resolve("cpu/ember/vm-1/cpu.cfs_quota_us"))).isEqualTo("225000");
        assertThat(Files.readString(root.resolve("cpu/ember/vm-1/cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(Files.readString(root.resolve("cpu/ember/vm-1/cpu.shares"))).isEqualTo("2304");
        assertThat(Files.readString(root.resolve("memory/ember/vm-1/memory.limit_in_bytes"))).isEqualTo(Long.toString(640L << 20));
        assertThat(Files.readString(root.resolve("blkio/ember/vm-1/blkio.throttle.write_bps_device"))).isEqualTo("254:0 200");
        assertThat(root.resolve("blkio/ember/vm-1/blkio.throttle.write_iops_device")).as("0 = unlimited: not written").doesNotExist();
    }

    @Test
    void aSizesBaselineWeighsUnderContentionWhileItsQuotaLetsItBurstToItsPeak() throws Exception {
        // size 512: 1 vCPU (quota 1.25 cores with the VMM's own threads), guaranteed 0.25 of a core
        var sized = new Cgroups.Limits(125_000, 250, 1L << 30, 64, null, JailConfig.IoLimits.defaults());
        new Cgroups.V1(root, "ember").create("vm-3", sized);
        assertThat(Files.readString(root.resolve("cpu/ember/vm-3/cpu.cfs_quota_us"))).isEqualTo("125000");
        assertThat(Files.readString(root.resolve("cpu/ember/vm-3/cpu.shares"))).isEqualTo("256");
        Files.writeString(root.resolve("cgroup.controllers"), "cpu io memory pids\n");
        Files.createDirectories(root.resolve("ember"));
        Files.writeString(root.resolve("ember/cgroup.controllers"), "cpu io memory pids\n");
        new Cgroups.V2(root, "ember").create("vm-4", sized);
        assertThat(Files.readString(root.resolve("ember/vm-4/cpu.max"))).isEqualTo("125000 100000");
        assertThat(Files.readString(root.resolve("ember/vm-4/cpu.weight"))).isEqualTo("25");
        assertThat(new Cgroups.Limits(100_000, 1, 1, 1, null, null).v1Shares()).as("the kernel's minimum").isEqualTo(2);
        assertThat(new Cgroups.Limits(100_000, 1, 1, 1, null, null).v2Weight()).isEqualTo(1);
    }

    @Test
    void withoutABlockDevice_noIoLimitIsWritten() throws Exception {
        Cgroups v1 = new Cgroups.V1(root, "ember");
        v1.create("vm-2", new Cgroups.Limits(100_000, 1L << 30, 64, null, JailConfig.IoLimits.defaults()));
        try (var files = Files.list(root.resolve("blkio/ember/vm-2"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aJailNeedsRootAndItsJailer_andSaysSo() {
        JailConfig missing = new JailConfig(root.resolve("no-jailer"), root.resolve("mnt"), JailConfig.DEFAULT_ID_BASE,
                JailConfig.DEFAULT_ID_COUNT, "ember", 384, 512, 4096, null);
        assertThatThrownBy(() -> Jail.open(missing)).isInstanceOf(JailException.class)
                .hasMessageContaining(Jail.runningAsRoot() ? "is missing: run `bin/ember setup`" : "needs root");
        assertThatThrownBy(() -> new JailConfig(root, root, 1000, 16, "ember", 384, 512, 4096, null))
                .hasMessageContaining("65536");
        assertThatThrownBy(() -> new JailConfig(root, root, JailConfig.DEFAULT_ID_BASE, 16, "../etc", 384, 512, 4096, null))
                .hasMessageContaining("cgroup name");
    }
}
