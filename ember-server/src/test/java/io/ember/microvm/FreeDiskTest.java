package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ember.image.BuildMachines;
import io.ember.image.BuildSettings;
import io.ember.image.HostDisk;
import io.ember.image.ImageException;
import io.ember.image.ImageSpec;
import io.ember.image.Images;
import io.ember.store.ImageStore;
import io.ember.tenant.Tenant;
import io.ember.testing.SmallDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory on a small ext4 of its own (320 MiB, loop-mounted), filled up on purpose: a launch, a suspend and
 * an image build that the disk cannot take are refused with INSUFFICIENT_CAPACITY before they write anything.
 * Reserve 16 MiB; busybox has 128 MiB of RAM; a launch counts 256 MiB for its overlay.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FreeDiskTest {
    private static final HostDisk RESERVE_16_MIB = new HostDisk(16L << 20);

    @TempDir
    Path dir;
    SmallDisk disk;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        disk = SmallDisk.create(dir, 320);
        f = new SuspendFixture(dir, disk.mount.resolve("data"), 4);
        f.disk = RESERVE_16_MIB;
        f.restart();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) f.close();
        disk.close();
    }

    @Test
    void aLaunchIsRefusedWhenTheDiskCannotTakeItsOverlayAndTheReserve() throws Exception {
        String first = f.running(600, null); // about 300 MiB free: 256 + 16 fit
        disk.fill("ballast", 100);          // about 200 MiB free now
        long dirs = workDirs();

        MicrovmException e = refusal(() -> f.microvms.run(f.run(600, null)));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.INSUFFICIENT_CAPACITY);
        assertThat(e.getMessage()).startsWith("RunMicrovm of busybox refused: the host's disk has ")
                .contains("this may write up to 256 MiB and 16 MiB must stay free (EMBER_DISK_RESERVE_MIB)");
        assertThat(workDirs()).as("nothing created").isEqualTo(dirs);
        assertThat(f.microvms.list(Tenant.ADMIN_ID, 0, 100, null, null)).extracting(r -> r.id()).containsExactly(first);
        assertThat(f.store.events(Tenant.ADMIN_ID, null, 0, 100)).anySatisfy(ev -> assertThat(ev.message()).contains("the host's disk has"));
    }

    @Test
    void aSuspendIsRefusedWhenTheDiskCannotTakeTheRamAndTheReserve() throws Exception {
        String id = f.running(600, null);
        Path ballast = disk.fill("ballast", 200); // about 100 MiB free: 128 + 16 do not fit

        MicrovmException e = refusal(() -> f.microvms.suspend(Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.INSUFFICIENT_CAPACITY);
        assertThat(e.getMessage()).contains("SuspendMicrovm of " + id + " refused").contains("up to 128 MiB");
        assertThat(f.state(id)).as("it goes on running").isEqualTo("RUNNING");
        assertThat(f.driver.saves).as("no save was started").isEmpty();
        assertThat(f.driver.workDir(id).resolve("vmstate.tmp")).doesNotExist();
        f.microvms.use(id).close();

        Files.delete(ballast);
        assertThat(f.microvms.suspend(Tenant.ADMIN_ID, id).state()).isEqualTo("SUSPENDED");
    }

    @Test
    void anImageBuildIsRefusedWhenTheDiskCannotTakeItsDiskAndRam() throws Exception {
        disk.fill("ballast", 200); // about 100 MiB free
        Path data = disk.mount.resolve("data");
        try (ImageStore store = ImageStore.open(data.resolve("ember.db"));
             Images images = Images.start(f.catalog, store, data, BuildMachines.unsupported(),
                     BuildSettings.defaults(f.catalog).withDisk(RESERVE_16_MIB))) {
            var echo = JsonNodeFactory.instance.objectNode().put("baseImageArn", "busybox");
            ImageSpec big = new ImageSpec(echo, "busybox", null, "file:///nothing.zip", null, 512, null, null, null);
            assertThatThrownBy(() -> images.create(Tenant.ADMIN_ID, "big", big))
                    .isInstanceOfSatisfying(ImageException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ImageException.Kind.INSUFFICIENT_CAPACITY);
                        assertThat(e.getMessage()).startsWith("CreateMicrovmImage of big refused: the host's disk has ")
                                .contains("up to 512 MiB");
                    });
            assertThat(images.list(Tenant.ADMIN_ID, 0, 100, null)).as("no image recorded").isEmpty();
            assertThat(data.resolve("images")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
        }
    }

    private long workDirs() throws Exception {
        Path vms = disk.mount.resolve("data/vms");
        if (!Files.isDirectory(vms)) return 0;
        try (Stream<Path> s = Files.list(vms)) {
            return s.count();
        }
    }

    private static MicrovmException refusal(Runnable call) {
        try {
            call.run();
        } catch (MicrovmException e) {
            return e;
        }
        throw new AssertionError("expected a MicrovmException");
    }
}
