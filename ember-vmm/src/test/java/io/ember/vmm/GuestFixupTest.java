package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.ExecRequest;
import io.ember.agent.GuestAgent;
import io.ember.agent.RestoreFixup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU (TCG) and the busybox guest: RESTORED (clock, RNG, identity) on clones of one snapshot, SPAWN and
 * USER in a guest (the network: GuestNetworkTest).
 */
class GuestFixupTest {
    static final SecureRandom RNG = new SecureRandom();
    static final String RANDOMS = "head -c 16 /dev/urandom | od -x; cat /proc/sys/kernel/random/uuid";

    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final QemuDriver driver = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
    final List<Vm> started = new ArrayList<>();
    final List<GuestAgent> agents = new ArrayList<>();

    VmSpec spec(String name) {
        return assets.spec("vm-" + name, tmp.resolve(name), "busybox", "host-" + name);
    }

    GuestAgent launch(VmSpec spec) throws Exception {
        Vm vm = driver.launch(spec);
        started.add(vm);
        return hello(vm, AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5)));
    }

    GuestAgent hello(Vm vm, GuestAgent a) throws Exception {
        agents.add(a);
        try {
            a.hello(QemuDriverTest.BOOT);
        } catch (io.ember.agent.AgentException e) {
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()), e);
        }
        return a;
    }

    /** docs/vmm.md: restore paused, connect, resume, then RESTORED before anything else. */
    GuestAgent clone(Snapshot snap, String name, RestoreFixup fixup) throws Exception {
        Vm vm = driver.restorePaused(spec(name), snap, true);
        started.add(vm);
        GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        driver.resume(vm);
        hello(vm, a);
        long t0 = System.nanoTime();
        a.restored(fixup, Duration.ofSeconds(30));
        System.out.printf("RESTORED round trip (%s): %.1f ms%n", name, (System.nanoTime() - t0) / 1e6);
        return a;
    }

    static RestoreFixup fixup(String hostname, boolean newIdentity) {
        byte[] entropy = new byte[64];
        RNG.nextBytes(entropy);
        return new RestoreFixup(Instant.now(), entropy, hostname, newIdentity);
    }

    @AfterEach
    void stopEverything() {
        agents.forEach(GuestAgent::close);
        for (Vm vm : started) {
            vm.terminate(Duration.ofSeconds(2));
            assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    static long guestSeconds(GuestAgent a) throws Exception {
        return Long.parseLong(QemuDriverTest.run(a, "date", "+%s").strip());
    }

    @Test
    void restored_setsAClockThatWasWrong_andTheHostname() throws Exception {
        GuestAgent a = launch(spec("clock"));
        QemuDriverTest.run(a, "date", "-s", "@1000000000");
        assertThat(guestSeconds(a)).isLessThan(1_000_001_000L);
        long t0 = System.nanoTime();
        a.restored(fixup("renamed", false), Duration.ofSeconds(30));
        System.out.printf("RESTORED round trip (booted guest): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertThat(guestSeconds(a)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertThat(QemuDriverTest.run(a, "hostname")).isEqualTo("renamed\n");
    }

    @Test
    void clonesOfOneSnapshot_afterRestored_differInRandomnessAndMachineId() throws Exception {
        VmSpec template = spec("tpl");
        GuestAgent t = launch(template);
        QemuDriverTest.run(t, "sh", "-c", "echo 00000000000000000000000000000000 > /etc/machine-id; sync");
        QemuDriverTest.run(t, "sh", "-c", RANDOMS); // the CRNG is in use before the snapshot, as in real life
        Snapshot snap = driver.save(started.getLast(), tmp.resolve("snap"));

        GuestAgent c1 = clone(snap, "c1", fixup("clone-1", true));
        GuestAgent c2 = clone(snap, "c2", fixup("clone-2", true));
        String r1 = QemuDriverTest.run(c1, "sh", "-c", RANDOMS), r2 = QemuDriverTest.run(c2, "sh", "-c", RANDOMS);
        System.out.printf("clone 1: %sclone 2: %s", r1, r2);
        String[] l1 = r1.split("\n"), l2 = r2.split("\n");
        assertThat(l1[0]).isNotEqualTo(l2[0]); // /dev/urandom
        assertThat(l1[l1.length - 1]).isNotEqualTo(l2[l2.length - 1]); // random/uuid
        String m1 = QemuDriverTest.run(c1, "cat", "/etc/machine-id"), m2 = QemuDriverTest.run(c2, "cat", "/etc/machine-id");
        assertThat(m1).matches("[0-9a-f]{32}\n").isNotEqualTo(m2).isNotEqualTo("0".repeat(32) + "\n");
        assertThat(m2).matches("[0-9a-f]{32}\n");
        assertThat(QemuDriverTest.run(c1, "hostname")).isEqualTo("clone-1\n");
        assertThat(QemuDriverTest.run(c2, "hostname")).isEqualTo("clone-2\n");
        assertThat(Math.abs(guestSeconds(c1) - Instant.now().getEpochSecond())).isLessThan(5);
    }

    @Test
    void spawn_asAUser_runsOnAfterTheHostLeaves() throws Exception {
        VmSpec spec = spec("spawn");
        GuestAgent a = launch(spec);
        int pid = a.spawn(new ExecRequest(List.of("sh", "-c", "id -u; id -g; exec sleep 600"), QemuDriverTest.ENV, "/",
                null, false, "nobody"), "/tmp/job.log");
        a.close();
        GuestAgent b = hello(started.getLast(), AgentClient.connect(started.getLast().agentSocket(), Duration.ofSeconds(5)));
        QemuDriverTest.run(b, "kill", "-0", Integer.toString(pid));
        String log = "";
        for (long end = System.nanoTime() + 30_000_000_000L; !log.endsWith("\n65534\n") && System.nanoTime() < end; )
            log = QemuDriverTest.run(b, "cat", "/tmp/job.log"); // the process writes in its own time
        assertThat(log).isEqualTo("65534\n65534\n");
        assertThat(QemuDriverTest.run(b, "stat", "-c", "%a %u", "/tmp/job.log")).isEqualTo("600 0\n");
        String status = QemuDriverTest.run(b, "cat", "/proc/" + pid + "/status");
        assertThat(status).containsPattern("Uid:\\s+65534\\s+65534").containsPattern("Gid:\\s+65534\\s+65534");
        assertThat(QemuDriverTest.run(b, "sh", "-c", "id -u", "x")).isEqualTo("0\n");
    }
}
