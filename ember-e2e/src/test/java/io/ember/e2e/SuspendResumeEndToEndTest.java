package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.sdk.ConflictException;
import io.ember.sdk.IdlePolicy;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Suspend, resume, idle policy and lifetime with real QEMU guests, through the public API. */
class SuspendResumeEndToEndTest {
    /** Counts in a shell variable (memory), and shows the count and its pid in /workspace/count every 0.1 s. */
    static final String COUNTER = "setsid sh -c 'i=0; while true; do i=$((i+1)); echo \"$$ $i\" > /workspace/count.tmp;"
            + " mv /workspace/count.tmp /workspace/count; sleep 0.1; done' </dev/null >/dev/null 2>&1 &";

    private EmberTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = EmberTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void shouldKeepFilesAndARunningProcessAcrossSuspendAndResume() throws Exception {
        try (TestVm vm = TestVm.run(server, "busybox")) {
            vm.ok("echo kept > /workspace/note && cd /tmp && mkdir -p deep/er");
            vm.ok(COUNTER);
            Thread.sleep(1000);
            String[] before = vm.ok("cat /workspace/count").trim().split(" ");
            Path dir = server.vmDir(vm.id);
            ProcessHandle qemu = QemuProcesses.of(dir).orElseThrow();

            Rest.suspend(server, vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            assertThat(qemu.isAlive()).as("the VMM process is gone while suspended").isFalse();
            assertThat(QemuProcesses.of(dir)).isEmpty();
            assertThat(dir.resolve("snapshot.json")).exists();

            Rest.resume(server, vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.RUNNING);
            assertThat(dir.resolve("snapshot.json")).as("its own snapshot is consumed by the resume").doesNotExist();
            assertThat(dir.resolve("vmstate")).doesNotExist();
            assertThat(vm.ok("cat /workspace/note")).isEqualTo("kept\n");
            String[] after = vm.ok("cat /workspace/count").trim().split(" ");
            assertThat(after[0]).as("the same process goes on").isEqualTo(before[0]);
            assertThat(Long.parseLong(after[1])).as("its count in memory survived").isGreaterThanOrEqualTo(Long.parseLong(before[1]));
            Thread.sleep(600);
            String[] later = vm.ok("cat /workspace/count").trim().split(" ");
            assertThat(Long.parseLong(later[1])).as("and it keeps counting").isGreaterThan(Long.parseLong(after[1]));
            assertThat(Rest.events(server, vm.id)).containsSubsequence("SUSPENDING/USER", "SUSPENDED/USER", "PENDING/USER", "RUNNING/BOOT");
        }
    }

    @Test
    void shouldSetTheClockAfterAResume() throws Exception {
        try (TestVm vm = TestVm.run(server, "debian")) { // coreutils date has %N
            Rest.suspend(server, vm.id);
            Thread.sleep(4000); // the guest's clock stood still meanwhile
            Rest.resume(server, vm.id);
            double before = Instant.now().toEpochMilli() / 1000.0;
            double guest = Double.parseDouble(vm.ok("date +%s.%N").trim());
            double after = Instant.now().toEpochMilli() / 1000.0;
            assertThat(guest).as("guest clock after resume, vs the host's around the exec")
                    .isBetween(before - 1.0, after + 1.0);
        }
    }

    @Test
    void shouldSuspendAnIdleMicrovmAndWakeItForAnExec() throws Exception {
        RunMicrovmRequest run = RunMicrovmRequest.of("busybox").withIdlePolicy(new IdlePolicy(3, 28800, true));
        try (TestVm vm = TestVm.run(server, run)) {
            vm.ok("echo before-sleep > /workspace/w");
            awaitState(vm.id, MicrovmState.SUSPENDED, Duration.ofSeconds(60));
            assertThat(QemuProcesses.of(server.vmDir(vm.id))).isEmpty();
            assertThat(vm.ok("cat /workspace/w")).as("an exec wakes it and succeeds").isEqualTo("before-sleep\n");
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.RUNNING);
            assertThat(Rest.events(server, vm.id)).containsSubsequence("SUSPENDED/IDLE", "PENDING/REQUEST", "RUNNING/BOOT");
        }
    }

    @Test
    void shouldNotSuspendWhileAnExecRuns() throws Exception {
        RunMicrovmRequest run = RunMicrovmRequest.of("busybox").withIdlePolicy(new IdlePolicy(2, 28800, true));
        try (TestVm vm = TestVm.run(server, run)) {
            assertThat(vm.ok("sleep 6; echo done")).isEqualTo("done\n");
            assertThat(Rest.events(server, vm.id)).doesNotContain("SUSPENDING/IDLE");
        }
    }

    @Test
    void shouldRefuseRequestsToASuspendedMicrovmWithoutAutoResume() {
        RunMicrovmRequest run = RunMicrovmRequest.of("busybox").withIdlePolicy(new IdlePolicy(600, 28800, false));
        try (TestVm vm = TestVm.run(server, run)) {
            Rest.suspend(server, vm.id);
            assertThatThrownBy(() -> vm.sh("true")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("autoResumeEnabled=false").hasMessageContaining("ResumeMicrovm");
            Rest.resume(server, vm.id);
            assertThat(vm.ok("echo awake")).isEqualTo("awake\n");
        }
    }

    @Test
    void shouldTerminateAMicrovmSuspendedLongerThanItsPolicyAllows() {
        RunMicrovmRequest run = RunMicrovmRequest.of("busybox").withIdlePolicy(new IdlePolicy(600, 2, true));
        try (TestVm vm = TestVm.run(server, run)) {
            Rest.suspend(server, vm.id);
            Microvm end = awaitState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(30));
            assertThat(end.stateReason()).contains("suspendedDurationSeconds");
            assertThat(server.vmDir(vm.id)).doesNotExist();
        }
    }

    @Test
    void shouldEndARunningAndASuspendedMicrovmWhenTheirLifetimePasses() {
        // long enough for both to boot and one to be suspended on a loaded CI machine, short enough for a test
        TestVm running = TestVm.run(server, RunMicrovmRequest.of("busybox").withMaximumDurationInSeconds(25));
        TestVm sleeping = TestVm.run(server, RunMicrovmRequest.of("busybox").withMaximumDurationInSeconds(25));
        try (running; sleeping) {
            Rest.suspend(server, sleeping.id);
            for (TestVm vm : List.of(running, sleeping)) {
                Microvm end = awaitState(vm.id, MicrovmState.TERMINATED, Duration.ofSeconds(60));
                assertThat(end.stateReason()).contains("Maximum duration of 25 seconds");
                assertThat(server.vmDir(vm.id)).as("its state is deleted").doesNotExist();
                assertThat(Rest.events(server, vm.id)).last().isEqualTo("TERMINATED/LIFETIME");
            }
        }
    }

    @Test
    void shouldLoseNothingWhenTheServerRestartsBetweenSuspendAndResume() throws Exception {
        try (TestVm vm = TestVm.run(server, "busybox")) {
            String sum = vm.ok("head -c 3000000 /dev/urandom > /workspace/blob && sha256sum /workspace/blob");
            Rest.suspend(server, vm.id);
            server.restart();
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            assertThat(vm.ok("sha256sum /workspace/blob")).as("auto-resumed after the restart").isEqualTo(sum);
            assertThat(Rest.events(server, vm.id)).containsSubsequence("SUSPENDED/USER", "PENDING/REQUEST", "RUNNING/BOOT");
        }
    }

    @Test
    void shouldLoseNoByteInFiftySuspendResumeCycles() {
        try (TestVm vm = TestVm.run(server, "busybox")) {
            List<String> sums = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                // written just before the suspend, no sync: the bytes are in the guest's page cache, which is in the snapshot
                sums.add(vm.ok("head -c " + (65_536 + i * 4099) + " /dev/urandom > /workspace/f" + i
                        + " && sha256sum /workspace/f" + i));
                Rest.suspend(server, vm.id);
                if (i % 2 == 0) Rest.resume(server, vm.id); // else the next exec wakes it
            }
            StringBuilder all = new StringBuilder();
            for (String s : sums) all.append(s);
            assertThat(vm.ok("cd / && for i in $(seq 0 49); do sha256sum /workspace/f$i; done")).isEqualTo(all.toString());
            long resumes = Rest.events(server, vm.id).stream().filter(e -> e.startsWith("PENDING/")).count();
            assertThat(resumes).isEqualTo(50 + 1); // the boot, and 50 resumes (25 by call, 25 by a request)
        }
    }

    private Microvm awaitState(String id, MicrovmState state, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Microvm m = server.client().getMicrovm(id);
            if (m.state() == state) return m;
            if (Instant.now().isAfter(deadline)) throw new AssertionError(id + " is " + m.state() + ", not " + state);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

}
