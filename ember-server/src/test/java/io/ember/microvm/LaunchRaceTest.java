package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.store.MicrovmRecord;
import io.ember.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LaunchRaceTest {
    @TempDir
    Path dir;
    Fixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, 3);
    }

    @AfterEach
    void tearDown() {
        f.driver.launchGate.countDown();
        f.close();
    }

    @Test
    void shouldGiveTheDocumentedReasonWhenTheAgentClientRefusesTheProtocolVersion() {
        // What io.ember.agent.AgentClient.hello throws for a HELLO_OK with another version.
        f.agents.helloFailure = "agent protocol version 2 not supported";
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("TERMINATED", () -> f.state(r.id()).equals("TERMINATED"));
        assertThat(f.microvms.get(r.id()).stateReason()).isEqualTo("Agent protocol version 2 not supported");
    }

    @Test
    void shouldCleanUpAVmmThatCameUpAfterTheTerminateGaveUpWaitingForIt() {
        f.driver.launchGate = new CountDownLatch(1);
        f.driver.createsWorkDir = true;
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("launch started", () -> f.driver.launching.get() == 1);
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(r.id(), Cause.USER)); // waits the boot timeout, then goes on
        assertThat(f.state(r.id())).isEqualTo("TERMINATED");
        assertThat(Path.of(r.workDir())).doesNotExist();

        f.driver.launchGate.countDown(); // the launch ends late, its driver having made the directory again
        Await.until("launched", () -> !f.driver.launched.isEmpty());
        Await.until("VMM stopped", () -> !f.driver.vm(r.id()).alive());
        Await.until("work dir removed", Duration.ofSeconds(5), () -> !Files.exists(Path.of(r.workDir())));
        assertThat(f.state(r.id())).isEqualTo("TERMINATED");
    }
}
