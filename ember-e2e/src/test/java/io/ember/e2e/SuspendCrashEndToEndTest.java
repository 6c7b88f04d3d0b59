package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.Credentials;
import io.ember.sdk.CredentialsChain;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import io.ember.vmm.CrashPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real server process halted (as by kill -9) at the named points of a suspend, then a new server on the same data
 * directory: nothing the guest wrote is lost (docs/snapshots.md, "Restarts").
 */
class SuspendCrashEndToEndTest {
    private Path root;
    private Path dataDir;
    private ServerProcess crashing;
    private EmberTestServer after;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory(Path.of("/tmp"), "ember-crash-"); // short: socket paths under it
        dataDir = root.resolve("data");
        Files.createDirectories(dataDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (crashing != null) crashing.close();
        if (after != null) after.close(); // terminates the microVMs it knows
        QemuProcesses.killAllUnder(dataDir);
        EmberTestServer.deleteTree(root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"save.after-manifest", "suspend.after-save"})
    void shouldEndSuspendedWhenTheServerDiesOnceTheSnapshotIsWhole(String point) throws Exception {
        String id = suspendAndCrashAt(point);
        Path vmDir = dataDir.resolve("vms").resolve(id);
        if (point.equals("save.after-manifest")) {
            assertThat(QemuProcesses.of(vmDir)).as("the stopped VMM outlived the server").isPresent();
        }

        after = EmberTestServer.on(dataDir);
        assertThat(after.client().getMicrovm(id).state()).isEqualTo(MicrovmState.SUSPENDED);
        assertThat(QemuProcesses.of(vmDir)).as("a leftover VMM is ended").isEmpty();
        assertThat(vmDir.resolve("snapshot.json")).exists();
        assertThat(vmDir.resolve("vmstate.tmp")).doesNotExist();
        assertThat(Rest.events(after, id)).last().isEqualTo("SUSPENDED/RECONCILE");

        after.client().resumeMicrovm(id);
        assertThat(after.client().getMicrovm(id).state()).isEqualTo(MicrovmState.RUNNING);
        assertThat(cat(after.client(), id)).isEqualTo("written before the suspend\n");
    }

    @Test
    void shouldLetTheGuestGoOnWhenTheServerDiesBeforeTheSnapshotIsWhole() throws Exception {
        String id = suspendAndCrashAt("save.after-migrate");
        Path vmDir = dataDir.resolve("vms").resolve(id);
        assertThat(vmDir.resolve("vmstate.tmp")).as("the state written before the crash").exists();

        after = EmberTestServer.on(dataDir);
        assertThat(after.client().getMicrovm(id).state()).isEqualTo(MicrovmState.RUNNING);
        assertThat(vmDir.resolve("vmstate.tmp")).as("a state never made whole is removed").doesNotExist();
        assertThat(vmDir.resolve("snapshot.json")).doesNotExist();
        assertThat(cat(after.client(), id)).isEqualTo("written before the suspend\n");
        assertThat(Rest.events(after, id)).last().isEqualTo("RUNNING/RECONCILE");
        // and it can be suspended and resumed properly afterwards
        after.client().suspendMicrovm(id);
        after.client().resumeMicrovm(id);
        assertThat(cat(after.client(), id)).isEqualTo("written before the suspend\n");
    }

    /** A server process halting at {@code point}: a busybox microVM writes a file, then SuspendMicrovm. */
    private String suspendAndCrashAt(String point) throws Exception {
        crashing = ServerProcess.start(dataDir, point);
        Credentials admin = CredentialsChain.of(Map.of("HOME", dataDir.toString(), "EMBER_DATA_DIR", dataDir.toString()))
                .withProfile(CredentialsChain.ADMIN_PROFILE).resolve();
        try (EmberClient client = EmberClient.builder().endpoint("http://127.0.0.1:" + crashing.port).credentials(admin).build()) {
            String id = client.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId();
            assertThat(client.waitUntilRunning(id, Duration.ofSeconds(180)).state()).isEqualTo(MicrovmState.RUNNING);
            var w = client.execAndWait(id, ExecRequest.shell("echo 'written before the suspend' > /workspace/f"));
            assertThat(w.exitCode()).isZero();
            try {
                client.suspendMicrovm(id);
            } catch (RuntimeException expected) {
                // the server halted in the middle of the call
            }
            assertThat(crashing.awaitExit(Duration.ofSeconds(60))).as("halted at " + point).isEqualTo(CrashPoint.STATUS);
            return id;
        }
    }

    private static String cat(EmberClient client, String id) {
        var r = client.execAndWait(id, ExecRequest.shell("cat /workspace/f"));
        assertThat(r.exitCode()).isZero();
        return r.stdoutText();
    }
}
