package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.GuestAgent;
import io.ember.store.EventRecord;
import io.ember.store.MicrovmRecord;
import io.ember.testing.Await;
import io.ember.testing.FakeVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class MicrovmsTest {
    @TempDir
    Path dir;
    Fixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, 3);
    }

    @AfterEach
    void tearDown() {
        f.agents.helloGate.countDown();
        f.close();
    }

    private List<String> events(String id) {
        return f.microvms.events(id).stream().map(e -> e.toState() + "/" + e.cause()).toList();
    }

    @Test
    void shouldReturnPendingAtOnceAndBecomeRunningWhenTheAgentAnswers() {
        f.agents.helloGate = new CountDownLatch(1);
        MicrovmRecord r = f.microvms.run(f.run(600));
        assertThat(r.state()).isEqualTo("PENDING");
        assertThat(r.id()).matches("mvm-[0-9a-f]{24}");
        assertThat(Path.of(r.workDir())).isDirectory().isEqualTo(f.dataDir.resolve("vms").resolve(r.id()));
        Await.until("launch", () -> !f.driver.launched.isEmpty());
        assertThat(f.state(r.id())).isEqualTo("PENDING");

        f.agents.helloGate.countDown();
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        assertThat(events(r.id())).containsExactly("PENDING/USER", "RUNNING/BOOT");
        assertThat(f.microvms.get(r.id()).vmmPid()).isEqualTo(f.driver.vm(r.id()).pid());
        var spec = f.driver.launched.getFirst();
        assertThat(spec.vcpus()).isEqualTo(1);
        assertThat(spec.memoryMib()).isEqualTo(128);
        assertThat(spec.baseDisk().toString()).endsWith("images/busybox/rootfs.ext4");
        assertThat(spec.kernel().toString()).endsWith("kernel/vmlinux");
    }

    @Test
    void shouldTerminateStopTheVmRemoveItsDirectoryAndRecordBothSteps() {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, r.id()), Cause.USER));

        MicrovmRecord done = f.microvms.get(r.id());
        assertThat(done.state()).isEqualTo("TERMINATED");
        assertThat(done.stateReason()).isEqualTo("Terminated by user");
        assertThat(done.terminatedAt()).isNotNull();
        assertThat(f.driver.vm(r.id()).alive()).isFalse();
        assertThat(Path.of(r.workDir())).doesNotExist();
        assertThat(events(r.id())).containsExactly("PENDING/USER", "RUNNING/BOOT", "TERMINATING/USER", "TERMINATED/USER");

        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(r.id(), Cause.USER)); // again: nothing to do, no error
        assertThat(events(r.id())).hasSize(4);
    }

    @Test
    void shouldTerminateAVmStillBootingAndNotLetTheBootRevive_it() {
        f.agents.helloGate = new CountDownLatch(1);
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("HELLO sent", () -> !f.agents.connected.isEmpty());
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(r.id(), Cause.USER));
        f.agents.helloGate.countDown();

        Await.until("agent closed", () -> f.agents.connected.getFirst().closed);
        assertThat(f.state(r.id())).isEqualTo("TERMINATED");
        assertThat(f.driver.vm(r.id()).alive()).isFalse();
        assertThat(events(r.id())).containsExactly("PENDING/USER", "TERMINATING/USER", "TERMINATED/USER");
    }

    @Test
    void shouldTerminateWithTheExitWhenTheVmmDies() {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        f.driver.vm(r.id()).crash(137);
        Await.until("TERMINATED", () -> f.state(r.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(r.id()).stateReason()).isEqualTo("VMM process exited unexpectedly (exit code 137)");
        assertThat(events(r.id())).containsExactly("PENDING/USER", "RUNNING/BOOT", "TERMINATED/FAILURE");
        assertThat(Path.of(r.workDir())).doesNotExist();
    }

    @Test
    void shouldKillTheVmWhenTheAgentChannelBreaks() {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        f.agents.of(r.id()).breakChannel("agent protocol violation: frame length 99999999 above MAX_FRAME");
        Await.until("TERMINATED", () -> f.state(r.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(r.id()).stateReason())
                .isEqualTo("Agent protocol violation: frame length 99999999 above MAX_FRAME");
        FakeVm vm = f.driver.vm(r.id());
        assertThat(vm.alive()).isFalse();
        assertThat(vm.terminateCalls.get()).isEqualTo(1);
    }

    @Test
    void shouldBlameTheVmmWhenItsDeathBreaksTheAgentChannelFirst() throws Exception {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        f.agents.of(r.id()).breakChannel("agent channel closed by the guest (end of stream)");
        Thread.sleep(100);
        f.driver.vm(r.id()).crash(137);
        Await.until("TERMINATED", () -> f.state(r.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(r.id()).stateReason()).isEqualTo("VMM process exited unexpectedly (exit code 137)");
    }

    @Test
    void shouldFailTheBootWithAClearReason() {
        f.agents.helloFailure = "EOF on the agent channel";
        MicrovmRecord a = f.microvms.run(f.run(600));
        Await.until("TERMINATED", () -> f.state(a.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(a.id()).stateReason()).isEqualTo("Guest agent failed during boot: EOF on the agent channel");
        assertThat(f.driver.vm(a.id()).alive()).isFalse();

        f.agents.helloFailure = null;
        f.agents.protocolVersion = 3;
        MicrovmRecord b = f.microvms.run(f.run(600));
        Await.until("TERMINATED", () -> f.state(b.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(b.id()).stateReason()).isEqualTo("Agent protocol version 3 not supported");

        f.driver.launchFailure = "qemu-system-x86_64: not found";
        MicrovmRecord c = f.microvms.run(f.run(600));
        Await.until("TERMINATED", () -> f.state(c.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(c.id()).stateReason()).isEqualTo("VMM failed to start: qemu-system-x86_64: not found");
        assertThat(Path.of(c.workDir())).doesNotExist();
    }

    @Test
    void shouldTerminateWhenTheMaximumDurationPasses() {
        MicrovmRecord r = f.microvms.run(f.run(1));
        Await.until("TERMINATED", () -> f.state(r.id()).equals("TERMINATED"));
        MicrovmRecord done = f.microvms.get(r.id());
        assertThat(done.stateReason()).isEqualTo("Maximum duration of 1 seconds reached");
        assertThat(f.microvms.events(r.id())).extracting(EventRecord::cause).endsWith("LIFETIME", "LIFETIME");
    }

    @Test
    void shouldRefuseRunsBeyondTheHostLimit() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) ids.add(f.microvms.run(f.run(600)).id());
        assertThatThrownBy(() -> f.microvms.run(f.run(600)))
                .isInstanceOfSatisfying(MicrovmException.class, e ->
                        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.QUOTA_EXCEEDED));
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(ids.getFirst(), Cause.USER));
        assertThat(f.microvms.run(f.run(600)).state()).isEqualTo("PENDING");
    }

    @Test
    void shouldAnswerARepeatedClientTokenWithTheFirstMicrovm() {
        var run = new Action.Run("busybox", null, null, new IdlePolicy(60, 28800, true), 600, "token-1");
        MicrovmRecord first = f.microvms.run(run);
        MicrovmRecord again = f.microvms.run(run);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(f.microvms.list(io.ember.tenant.Tenant.ADMIN_ID, 0, 10, null, null)).hasSize(1);
        assertThatThrownBy(() -> f.microvms.run(new Action.Run("debian", null, null, null, 600, "token-1")))
                .isInstanceOfSatisfying(MicrovmException.class, e ->
                        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT));
    }

    private GuestAgent agentOf(String id) {
        try (GuestLease lease = f.microvms.use(id)) {
            return lease.agent();
        }
    }

    @Test
    void shouldMakeCallersWaitForRunningAndRefuseTerminatedVms() throws Exception {
        f.agents.helloGate = new CountDownLatch(1);
        MicrovmRecord r = f.microvms.run(f.run(600));
        var pool = Executors.newVirtualThreadPerTaskExecutor();
        Future<GuestAgent> waiting = pool.submit(() -> agentOf(r.id()));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        f.agents.helloGate.countDown();
        assertThat(waiting.get()).isSameAs(f.agents.of(r.id()));

        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(r.id(), Cause.USER));
        assertThatThrownBy(() -> agentOf(r.id()))
                .isInstanceOfSatisfying(MicrovmException.class, e -> {
                    assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
                    assertThat(e.getMessage()).contains("TERMINATED").contains("Terminated by user");
                });
        assertThatThrownBy(() -> agentOf("mvm-000000000000000000000000"))
                .isInstanceOfSatisfying(MicrovmException.class, e ->
                        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> f.microvms.get("not-an-id"))
                .isInstanceOfSatisfying(MicrovmException.class, e ->
                        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.INVALID));
        pool.close();
    }

    @Test
    void shouldSerializeConcurrentTerminates() throws Exception {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                all.add(pool.submit(() -> f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(r.id(), Cause.USER))));
            }
            for (Future<?> x : all) x.get();
        }
        assertThat(events(r.id())).containsExactly("PENDING/USER", "RUNNING/BOOT", "TERMINATING/USER", "TERMINATED/USER");
        assertThat(f.driver.vm(r.id()).terminateCalls.get()).isEqualTo(1);
    }

    @Test
    void shouldAdoptLiveVmsAfterARestartAndTerminateTheGoneOnes() throws Exception {
        MicrovmRecord alive = f.microvms.run(f.run(600));
        MicrovmRecord dying = f.microvms.run(f.run(600));
        Await.until("both RUNNING", () -> f.state(alive.id()).equals("RUNNING") && f.state(dying.id()).equals("RUNNING"));
        Path orphan = Files.createDirectories(f.dataDir.resolve("vms/mvm-0123456789abcdef01234567"));

        f.close();
        assertThat(f.driver.vm(alive.id()).alive()).as("closing the server leaves VMs running").isTrue();
        f.driver.vm(dying.id()).crash(9); // dies while no server watches
        f.start();

        assertThat(f.state(alive.id())).isEqualTo("RUNNING");
        assertThat(f.agents.connected).as("two boots, then one reconnect (the dead VM gets none)").hasSize(3);
        assertThat(agentOf(alive.id())).isSameAs(f.agents.of(alive.id()));
        MicrovmRecord gone = f.microvms.get(dying.id());
        assertThat(gone.state()).isEqualTo("TERMINATED");
        assertThat(gone.stateReason()).isEqualTo("VMM process gone after server restart");
        assertThat(events(dying.id())).last().isEqualTo("TERMINATED/RECONCILE");
        assertThat(Path.of(dying.workDir())).doesNotExist();
        assertThat(orphan).doesNotExist();
        assertThat(Path.of(alive.workDir())).isDirectory();

        f.driver.vm(alive.id()).crash(1); // watched again after adoption
        Await.until("TERMINATED", () -> f.state(alive.id()).equals("TERMINATED"));
    }
}
