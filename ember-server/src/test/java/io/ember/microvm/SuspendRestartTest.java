package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.image.ImageSource;
import io.ember.image.LaunchSource;
import io.ember.store.MicrovmRecord;
import io.ember.testing.Await;
import io.ember.testing.FakeDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Suspended and suspending microVMs across a server restart, and what the host limit counts. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SuspendRestartTest {
    @TempDir
    Path dir;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 2);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void shouldKeepAWholeSuspendedMicrovmAcrossARestartAndResumeIt() {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        var suspendedAt = f.store.suspendedAt(id).orElseThrow();
        f.restart();

        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("SUSPENDED");
        assertThat(r.vmmPid()).isNull();
        assertThat(f.store.suspendedAt(id)).contains(suspendedAt);
        assertThat(workDir.resolve("snapshot.json")).as("not swept as an orphan").exists();
        assertThat(f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id).state()).isEqualTo("RUNNING");
        assertThat(f.driver.restores).singleElement().satisfies(x -> assertThat(x.privateMemory()).isFalse());
        f.microvms.use(id).close();
    }

    @Test
    void shouldTerminateASuspendedMicrovmWhoseSnapshotWasLost() throws Exception {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        f.close();
        Files.delete(workDir.resolve("snapshot.json"));
        f.start();

        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("TERMINATED");
        assertThat(r.stateReason()).startsWith("Snapshot lost after server restart");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "TERMINATED/RECONCILE");
        assertThat(workDir).doesNotExist();
        assertThat(f.store.suspendedAt(id)).isEmpty();
        Path kept = f.dataDir.resolve("recovered").resolve(id).resolve("disk.qcow2");
        assertThat(kept).as("nothing proves the disk useless: it is kept").exists();
        assertThat(r.stateReason()).endsWith("; its disk is kept in " + kept);
    }

    @Test
    void shouldKeepTheDiskOfAMicrovmLostDuringASuspendAndRemoveHalfWrittenFiles() throws Exception {
        String id = f.running(600, null);
        var vm = f.driver.vm(id);
        Path workDir = f.driver.workDir(id);
        Files.writeString(workDir.resolve("disk.qcow2"), "the guest's files");
        f.close();
        // The host went down during the save: no VMM, a state file half written, no manifest.
        f.rewrite(id, "state", "SUSPENDING");
        Files.writeString(workDir.resolve("vmstate.tmp"), "half a state");
        vm.crash(137);
        f.start();

        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("TERMINATED");
        Path kept = f.dataDir.resolve("recovered").resolve(id).resolve("disk.qcow2");
        assertThat(r.stateReason()).isEqualTo(Reconciler.GONE + " during a suspend, before its snapshot was whole; its disk is kept in " + kept);
        assertThat(Files.readString(kept)).isEqualTo("the guest's files");
        assertThat(workDir).as("the rest, the half-written state included, is removed").doesNotExist();
    }

    @Test
    void shouldKeepTheSnapshotOfAResumeInterruptedBeforeItsStateWasLoaded() throws Exception {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        f.close();
        f.rewrite(id, "state", "PENDING"); // the resume was recorded, the server died before QEMU loaded the state

        f.start();
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
        assertThat(f.events(id)).last().isEqualTo("SUSPENDED/RECONCILE");
        assertThat(workDir.resolve("snapshot.json")).as("not deleted: it is whole").exists();
        assertThat(f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id).state()).isEqualTo("RUNNING");
    }

    @Test
    void shouldRemoveAHalfWrittenStateWhenTheGuestGoesOn() throws Exception {
        String id = f.running(600, null);
        Path workDir = f.driver.workDir(id);
        f.close();
        f.rewrite(id, "state", "SUSPENDING");
        Files.writeString(workDir.resolve("vmstate.tmp"), "a state of the RAM's size, never made whole");
        f.start();

        assertThat(f.state(id)).isEqualTo("RUNNING");
        assertThat(workDir.resolve("vmstate.tmp")).doesNotExist();
    }

    @Test
    void shouldFinishASuspendInterruptedAfterTheSnapshotWasWhole() throws Exception {
        String id = f.running(600, null);
        long pid = f.driver.vm(id).pid();
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        f.close();
        // The server died after the save, before recording SUSPENDED: the record still says SUSPENDING with the pid.
        f.rewrite(id, "state", "SUSPENDING");
        f.rewrite(id, "vmm_pid", pid);
        f.rewrite(id, "suspended_at", null);
        f.start();

        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("SUSPENDED");
        assertThat(r.vmmPid()).isNull();
        assertThat(f.store.suspendedAt(id)).isPresent();
        assertThat(f.events(id)).last().isEqualTo("SUSPENDED/RECONCILE");
        assertThat(workDir.resolve("snapshot.json")).exists();
        assertThat(f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id).state()).isEqualTo("RUNNING");
    }

    @Test
    void shouldLetAGuestGoOnWhenASuspendWasInterruptedBeforeTheSnapshotWasWhole() throws Exception {
        String id = f.running(600, null);
        var vm = f.driver.vm(id);
        f.close();
        f.rewrite(id, "state", "SUSPENDING"); // the save had begun; no manifest yet, the VMM still alive
        f.start();

        assertThat(f.state(id)).isEqualTo("RUNNING");
        assertThat(f.events(id)).last().isEqualTo("RUNNING/RECONCILE");
        assertThat(f.driver.resumed).as("the guest paused by the save is let run").contains(vm);
        assertThat(vm.alive()).isTrue();
        f.microvms.use(id).close();
    }

    @Test
    void shouldCountOnlyMicrovmsWithAVmmAgainstTheHostLimit() {
        String a = f.running(600, null);
        String b = f.running(600, null);
        assertThat(quotaRefusal()).isNotNull();

        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, a);
        String c = f.running(600, null); // a's slot is free
        assertThat(quotaRefusal()).as("full again").isNotNull();

        f.restart();
        assertThat(f.state(a)).isEqualTo("SUSPENDED");
        assertThat(f.state(b)).isEqualTo("RUNNING");
        assertThat(f.state(c)).isEqualTo("RUNNING");
        assertThat(quotaRefusal()).as("after a restart the suspended one still does not count").isNotNull();
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, b);
        Await.until("d RUNNING", () -> f.state(f.running(600, null)).equals("RUNNING"));
    }

    @Test
    void shouldNotResumePastTheHostLimit() {
        String a = f.running(600, null);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, a);
        f.running(600, null);
        f.running(600, null); // the host is full again

        MicrovmException e = refusal(() -> f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, a));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.QUOTA_EXCEEDED);
        assertThat(refusal(() -> f.microvms.use(a).close()).kind()).isEqualTo(MicrovmException.Kind.QUOTA_EXCEEDED);
        assertThat(f.state(a)).isEqualTo("SUSPENDED");
        assertThat(f.driver.restores).isEmpty();
    }

    @Test
    void shouldGiveACloneInterruptedByARestartItsNewIdentity() throws Exception {
        Path template = dir.resolve("built/app/snapshot");
        FakeDriver.writeSnapshot(template, 1, 128);
        Files.writeString(dir.resolve("app.ext4"), "ext4");
        String arn = "arn:aws:lambda:us-east-1:000000000000:microvm-image:app";
        LaunchSource app = new LaunchSource(arn, "app", "1", 1, 128, Map.of(), dir.resolve("app.ext4"), template);
        f.images = catalog -> new ImageSource() {
            @Override
            public Optional<LaunchSource> resolve(String tenantId, String identifier, String version) {
                return identifier.equals("app") ? Optional.of(app) : Optional.empty();
            }

            @Override
            public Optional<String> arn(String tenantId, String identifier) {
                return identifier.equals("app") || identifier.equals(arn) ? Optional.of(arn) : Optional.empty();
            }
        };
        f.restart();
        f.agents.helloGate = new CountDownLatch(1);
        String id = f.microvms.run(new Action.Run("app", null, null, null, 600, null)).id();
        Await.until("the clone runs, its HELLO pending", () -> !f.driver.resumed.isEmpty() && !f.agents.connected.isEmpty());
        f.close(); // the server stops before the RESTORED fix-up
        f.agents.helloGate.countDown();
        f.start();

        assertThat(f.state(id)).isEqualTo("RUNNING");
        assertThat(f.agents.of(id).restored).as("the clone still gets its hostname, clock and entropy")
                .singleElement().satisfies(x -> {
                    assertThat(x.fixup().newIdentity()).isTrue();
                    assertThat(x.fixup().hostname()).isEqualTo(id);
                });
    }

    private static MicrovmException refusal(Runnable call) {
        try {
            call.run();
        } catch (MicrovmException e) {
            return e;
        }
        throw new AssertionError("expected a MicrovmException");
    }

    private MicrovmException quotaRefusal() {
        try {
            f.microvms.run(f.run(600, null));
        } catch (MicrovmException e) {
            assertThat(e.kind()).isEqualTo(MicrovmException.Kind.QUOTA_EXCEEDED);
            return e;
        }
        return null;
    }
}
