package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.ExecRequest;
import io.ember.agent.ExecEvent;
import io.ember.agent.RestoreFixup;
import io.ember.image.ImageSource;
import io.ember.image.LaunchSource;
import io.ember.store.MicrovmRecord;
import io.ember.testing.Await;
import io.ember.testing.FakeAgent;
import io.ember.testing.FakeDriver;
import io.ember.testing.FakeVm;
import io.ember.vmm.Snapshot;
import io.ember.vmm.VmmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Suspend and resume over the fake snapshotting driver: states, events, files, and the order of the steps. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SuspendResumeTest {
    @TempDir
    Path dir;
    SuspendFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 3);
    }

    @AfterEach
    void tearDown() {
        f.driver.restoreGate.countDown();
        f.agents.helloGate.countDown();
        f.close();
    }

    private static MicrovmException refusal(Runnable call) {
        try {
            call.run();
        } catch (MicrovmException e) {
            return e;
        }
        throw new AssertionError("expected a MicrovmException");
    }

    private String echo(GuestLease lease, String word) throws Exception {
        var s = lease.agent().exec(new ExecRequest(List.of("echo", word), Map.of(), "/", null, false));
        StringBuilder out = new StringBuilder();
        for (ExecEvent e; (e = s.next(Duration.ofSeconds(5))) != null && !(e instanceof ExecEvent.Exit); ) {
            if (e instanceof ExecEvent.Stdout o) out.append(new String(o.data()));
        }
        return out.toString().trim();
    }

    @Test
    void shouldSuspendARunningMicrovmToItsWorkDirectoryAndEndItsVmm() throws Exception {
        String id = f.running(600, null);
        FakeVm vm = f.driver.vm(id);
        FakeAgent agent = f.agents.of(id);

        MicrovmRecord r = f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(r.state()).isEqualTo("SUSPENDED");
        assertThat(r.vmmPid()).isNull();
        assertThat(f.store.suspendedAt(id)).get().satisfies(
                at -> assertThat(Duration.between(at, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5)));
        assertThat(f.events(id)).containsExactly("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/USER", "SUSPENDED/USER");
        assertThat(vm.alive()).isFalse();
        assertThat(vm.exited().get().requested()).as("the VMM ended as asked, not a failure").isTrue();
        assertThat(agent.closed).isTrue();
        assertThat(f.driver.saves).singleElement().satisfies(s -> assertThat(s.dir()).isEqualTo(Path.of(r.workDir())));
        Snapshot snap = Snapshot.load(Path.of(r.workDir()));
        assertThat(snap.vcpus()).isEqualTo(1);
        assertThat(snap.memoryMib()).isEqualTo(128);

        MicrovmRecord again = f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(again.state()).isEqualTo("SUSPENDED");
        assertThat(f.driver.saves).hasSize(1);
        assertThat(f.events(id)).hasSize(4);
    }

    @Test
    void shouldRefuseToSuspendAPendingMicrovm() {
        f.agents.helloGate = new CountDownLatch(1);
        String id = f.microvms.run(f.run(600, null)).id();
        MicrovmException e = refusal(() -> f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
        assertThat(e.getMessage()).contains("PENDING");
        assertThat(f.driver.saves).isEmpty();
        f.agents.helloGate.countDown();
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
    }

    @Test
    void shouldResumeFromItsOwnSnapshotConnectingTheAgentBeforeTheGuestRuns() throws Exception {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());

        MicrovmRecord r = f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        Instant after = Instant.now();
        assertThat(r.state()).isEqualTo("RUNNING");
        assertThat(f.events(id)).containsExactly("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/USER", "SUSPENDED/USER",
                "PENDING/USER", "RUNNING/BOOT");
        assertThat(f.store.suspendedAt(id)).isEmpty();

        FakeDriver.Restore restore = f.driver.restores.getFirst();
        assertThat(f.driver.restores).hasSize(1);
        assertThat(restore.privateMemory()).as("its own snapshot, consumed").isFalse();
        assertThat(restore.snapshot().dir()).isEqualTo(workDir.toAbsolutePath().normalize());
        assertThat(restore.spec().hostname()).isEqualTo(id);
        FakeVm vm = restore.vm();
        assertThat(f.driver.vm(id)).isSameAs(vm);
        assertThat(r.vmmPid()).isEqualTo(vm.pid());
        assertThat(f.driver.resumed).containsExactly(vm);
        assertThat(vm.paused).isFalse();

        FakeAgent agent = f.agents.of(id);
        assertThat(agent.connectedOrder).as("agent connected before the guest is let run").isLessThan(vm.resumedOrder);
        assertThat(agent.restored).singleElement().satisfies(x -> {
            RestoreFixup fix = x.fixup();
            assertThat(x.order()).isGreaterThan(vm.resumedOrder);
            assertThat(fix.newIdentity()).isFalse();
            assertThat(fix.hostname()).isNull();
            assertThat(fix.entropy()).hasSizeBetween(32, 256);
            assertThat(Duration.between(fix.now(), after)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        });

        // The snapshot was consumed: no second restore can find it.
        assertThatThrownBy(() -> Snapshot.load(workDir)).isInstanceOf(VmmException.class).hasMessageContaining("snapshot.json");
        assertThat(workDir.resolve("vmstate")).doesNotExist();
        assertThat(f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id).state()).as("resuming a RUNNING microVM is a no-op").isEqualTo("RUNNING");
        assertThat(f.driver.restores).hasSize(1);

        try (GuestLease lease = f.microvms.use(id)) {
            assertThat(lease.agent()).isSameAs(agent);
            assertThat(echo(lease, "awake")).isEqualTo("awake");
        }
        // Suspend and resume again: a new snapshot each time.
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id).state()).isEqualTo("RUNNING");
        assertThat(f.driver.saves).hasSize(2);
        assertThat(f.driver.restores).hasSize(2);
    }

    @Test
    void shouldResumeASuspendedMicrovmForARequest() throws Exception {
        String id = f.running(600, new IdlePolicy(0, 28800, true));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        try (GuestLease lease = f.microvms.use(id)) {
            assertThat(f.state(id)).isEqualTo("RUNNING");
            assertThat(echo(lease, "hi")).isEqualTo("hi");
        }
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "PENDING/REQUEST", "RUNNING/BOOT");
    }

    @Test
    void shouldResumeForARequestWithoutAnIdlePolicy() {
        String id = f.running(600, null);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        try (GuestLease lease = f.microvms.use(id)) {
            assertThat(lease.microvmId()).isEqualTo(id);
        }
        assertThat(f.events(id)).endsWith("PENDING/REQUEST", "RUNNING/BOOT");
    }

    @Test
    void shouldRefuseARequestToASuspendedMicrovmWithoutAutoResume() {
        String id = f.running(600, new IdlePolicy(0, 28800, false));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        MicrovmException e = refusal(() -> f.microvms.use(id).close());
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
        assertThat(e.getMessage()).contains("ResumeMicrovm").contains("autoResumeEnabled=false");
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
        assertThat(f.driver.restores).isEmpty();

        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id); // the explicit call still works
        f.microvms.use(id).close();
    }

    @Test
    void shouldResumeOnceForManyConcurrentRequests() throws Exception {
        String id = f.running(600, new IdlePolicy(0, 28800, true));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.driver.restoreGate = new CountDownLatch(1);
        int n = 8;
        CountDownLatch ready = new CountDownLatch(n);
        List<Future<String>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                String word = "w" + i;
                calls.add(pool.submit(() -> {
                    ready.countDown();
                    try (GuestLease lease = f.microvms.use(id)) {
                        return echo(lease, word);
                    }
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            Await.until("a restore started", () -> f.driver.restoring.get() >= 1);
            f.driver.restoreGate.countDown();
            for (int i = 0; i < n; i++) assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("w" + i);
        }
        assertThat(f.driver.restoring.get()).isEqualTo(1);
        assertThat(f.driver.restores).hasSize(1);
        assertThat(f.events(id).stream().filter(e -> e.startsWith("PENDING/"))).containsExactly("PENDING/USER", "PENDING/REQUEST");
    }

    @Test
    void shouldGoOnRunningWhenTheSaveFailsAndTheGuestLives() throws Exception {
        String id = f.running(600, null);
        FakeAgent agent = f.agents.of(id);
        FakeVm vm = f.driver.vm(id);
        f.driver.saveFailure = FakeDriver.SaveFailure.GUEST_GOES_ON;

        MicrovmException e = refusal(() -> f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.INTERNAL);
        assertThat(e.getMessage()).contains("No space left on device").contains("goes on running");
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("RUNNING");
        assertThat(r.vmmPid()).isEqualTo(vm.pid());
        assertThat(r.stateReason()).startsWith("Suspend failed");
        assertThat(f.events(id)).containsExactly("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/USER", "RUNNING/USER");
        assertThat(f.microvms.events(id).getLast().message()).contains("No space left on device");
        assertThat(f.store.suspendedAt(id)).isEmpty();
        assertThat(vm.alive()).isTrue();
        assertThat(agent.closed).isFalse();
        try (GuestLease lease = f.microvms.use(id)) {
            assertThat(lease.agent()).isSameAs(agent);
            assertThat(echo(lease, "still here")).isEqualTo("still here");
        }

        f.driver.saveFailure = FakeDriver.SaveFailure.NONE; // and a later suspend works
        assertThat(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).state()).isEqualTo("SUSPENDED");
    }

    @Test
    void shouldTerminateWhenTheVmmDiesDuringTheSave() {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.get(id).workDir());
        f.driver.saveFailure = FakeDriver.SaveFailure.VMM_DIES;

        MicrovmException e = refusal(() -> f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("TERMINATED");
        assertThat(r.stateReason()).startsWith("Suspend failed").contains("QMP connection closed");
        assertThat(f.events(id)).containsExactly("PENDING/USER", "RUNNING/BOOT", "SUSPENDING/USER", "TERMINATED/FAILURE");
        assertThat(workDir).doesNotExist();
        assertThat(refusal(() -> f.microvms.use(id)).kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
    }

    @Test
    void shouldStaySuspendedWhenTheVmmCannotStartAndResumeLater() {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        f.driver.restoreFailure = "qemu: cannot allocate memory";

        MicrovmException e = refusal(() -> f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.INTERNAL);
        assertThat(e.getMessage()).contains("cannot allocate memory").contains("stays SUSPENDED");
        assertThat(f.microvms.get(id).state()).isEqualTo("SUSPENDED");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "PENDING/USER", "SUSPENDED/FAILURE");
        assertThat(workDir.resolve("snapshot.json")).as("the snapshot is untouched").exists();

        f.driver.restoreFailure = null;
        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(f.microvms.get(id).state()).isEqualTo("RUNNING");
    }

    @Test
    void shouldTerminateWhenTheSnapshotIsIncomplete() throws Exception {
        String id = f.running(600, null);
        Path workDir = Path.of(f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id).workDir());
        Files.delete(workDir.resolve("vmstate"));

        MicrovmException e = refusal(() -> f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id));
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("TERMINATED");
        assertThat(r.stateReason()).startsWith("Resume failed").contains("vmstate");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "PENDING/USER", "TERMINATED/FAILURE");
        assertThat(workDir).doesNotExist();
    }

    @Test
    void shouldTerminateWhenTheRestoredGuestRejectsTheFixup() {
        String id = f.running(600, null);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.agents.restoredFailure = "clock_settime: Operation not permitted";

        assertThatThrownBy(() -> f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id)).isInstanceOf(MicrovmException.class);
        MicrovmRecord r = f.microvms.get(id);
        assertThat(r.state()).isEqualTo("TERMINATED");
        assertThat(r.stateReason()).startsWith("Resume failed").contains("clock_settime");
        assertThat(f.driver.vm(id).alive()).as("the restored VMM is stopped").isFalse();
    }

    @Test
    void shouldLaunchAnImageWithASnapshotAsAClone() throws Exception {
        Path template = dir.resolve("images-built/app/1/snapshot");
        FakeDriver.writeSnapshot(template, 1, 128);
        useAppImage(template);

        String id = f.microvms.run(new Action.Run("app", null, null, null, 600, null)).id();
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        assertThat(f.driver.launched).as("no cold boot").isEmpty();
        FakeDriver.Restore restore = f.driver.restores.getFirst();
        assertThat(restore.privateMemory()).as("a clone maps the image's RAM privately").isTrue();
        assertThat(restore.snapshot().dir()).isEqualTo(template.toAbsolutePath().normalize());
        assertThat(restore.spec().workDir()).isEqualTo(Path.of(f.microvms.get(id).workDir()));
        FakeVm vm = restore.vm();
        assertThat(f.driver.resumed).containsExactly(vm);
        FakeAgent agent = f.agents.of(id);
        assertThat(agent.connectedOrder).isLessThan(vm.resumedOrder);
        assertThat(agent.restored).singleElement().satisfies(x -> {
            assertThat(x.order()).isGreaterThan(vm.resumedOrder);
            assertThat(x.fixup().newIdentity()).isTrue();
            assertThat(x.fixup().hostname()).isEqualTo(id);
        });
        assertThat(Snapshot.load(template)).as("the image's snapshot is never consumed").isNotNull();
        try (GuestLease lease = f.microvms.use(id)) {
            assertThat(lease.environment()).containsEntry("APP_MODE", "test");
        }
        assertThat(f.microvms.events(id).getFirst().message()).contains("from its snapshot");

        // A second clone from the same snapshot.
        String second = f.microvms.run(new Action.Run("app", null, null, null, 600, null)).id();
        Await.until("second RUNNING", () -> f.state(second).equals("RUNNING"));
        assertThat(f.driver.restores).hasSize(2);
    }

    @Test
    void shouldBootAnImageWithASnapshotColdWhenAsked() throws Exception {
        Path template = dir.resolve("images-built/app/1/snapshot");
        FakeDriver.writeSnapshot(template, 1, 128);
        useAppImage(template);

        String id = f.microvms.run(io.ember.tenant.Tenant.ADMIN_ID, new Action.Run("app", null, null, null, 600, null), true).id();
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        assertThat(f.driver.restores).isEmpty();
        assertThat(f.driver.resumed).isEmpty();
        assertThat(f.driver.launched).singleElement().satisfies(s -> {
            assertThat(s.vmId()).isEqualTo(id);
            assertThat(s.baseDisk()).isEqualTo(dir.resolve("app-rootfs.ext4"));
        });
        assertThat(f.agents.of(id).restored).isEmpty();
        assertThat(f.microvms.events(id).getFirst().message()).contains("cold boot");
    }

    @Test
    void shouldTerminateACloneWhoseSnapshotIsIncomplete() throws Exception {
        Path template = dir.resolve("images-built/app/1/snapshot");
        FakeDriver.writeSnapshot(template, 1, 128);
        Files.delete(template.resolve("vmstate"));
        useAppImage(template);

        String id = f.microvms.run(new Action.Run("app", null, null, null, 600, null)).id();
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(f.microvms.get(id).stateReason()).startsWith("VMM failed to start").contains("vmstate missing");
        assertThat(f.driver.restores).isEmpty();
    }

    /** Restarts the server with an image source that also knows "app", launched from {@code template}. */
    private void useAppImage(Path template) throws Exception {
        Files.writeString(dir.resolve("app-rootfs.ext4"), "ext4");
        String arn = "arn:aws:lambda:us-east-1:000000000000:microvm-image:app";
        LaunchSource app = new LaunchSource(arn, "app", "1", 1, 128, Map.of("APP_MODE", "test"),
                dir.resolve("app-rootfs.ext4"), template);
        f.images = catalog -> new ImageSource() {
            final ImageSource managed = ImageSource.managed(catalog);

            @Override
            public Optional<LaunchSource> resolve(String tenantId, String identifier, String version) {
                return identifier.equals("app") || identifier.equals(arn) ? Optional.of(app) : managed.resolve(tenantId, identifier, version);
            }

            @Override
            public Optional<String> arn(String tenantId, String identifier) {
                return identifier.equals("app") || identifier.equals(arn) ? Optional.of(arn) : managed.arn(tenantId, identifier);
            }
        };
        f.restart();
    }
}
