package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.image.ImageCatalog;
import io.ember.store.MicrovmRecord;
import io.ember.store.StoreException;
import io.ember.testing.Await;
import io.ember.testing.FakeAgent;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What survives a server stop: nothing may be left running that no server can find again. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownAndRestartTest {
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
        f.agents.helloGate.countDown();
        f.close();
    }

    /** Closes the lifecycle on another thread; returns once the boot task has seen the interrupt close sends. */
    private Thread closeWhile(CountDownLatch interrupted) throws InterruptedException {
        Thread closer = Thread.ofVirtual().start(f.microvms::close);
        assertThat(interrupted.await(20, TimeUnit.SECONDS)).as("close interrupted the boot task").isTrue();
        return closer;
    }

    @Test
    void shouldLeaveAVmmThatCameUpDuringCloseForTheNextServerToAdopt() throws Exception {
        f.driver.launchGate = new CountDownLatch(1);
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("launch started", () -> f.driver.launching.get() == 1);
        Thread closer = closeWhile(f.driver.launchInterrupted);
        f.driver.launchGate.countDown(); // the VMM comes up after all, with the server closing
        closer.join();
        assertThat(f.driver.vm(r.id()).alive()).isTrue();

        f.store.close();
        f.start();
        assertThat(f.state(r.id())).as(f.microvms.get(r.id()).stateReason()).isEqualTo("RUNNING");
        assertThat(f.microvms.get(r.id()).vmmPid()).isEqualTo(f.driver.vm(r.id()).pid());
    }

    @Test
    void shouldCloseAnAgentThatAnsweredDuringClose() throws Exception {
        f.agents.helloGate = new CountDownLatch(1);
        f.agents.helloIgnoresInterrupts = true;
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("HELLO sent", () -> !f.agents.connected.isEmpty());
        Thread closer = closeWhile(f.agents.helloInterrupted);
        f.agents.helloGate.countDown(); // the answer arrives with the server closing
        closer.join();
        FakeAgent first = f.agents.connected.getFirst();
        assertThat(first.closed).as("the channel of a VM the closing server did not take on").isTrue();

        f.agents.helloIgnoresInterrupts = false;
        f.store.close();
        f.start();
        assertThat(f.state(r.id())).isEqualTo("RUNNING");
    }

    @Test
    void shouldStopAnAdoptedVmmWhoseImageLeftTheCatalog() throws Exception {
        MicrovmRecord r = f.microvms.run(f.run(600));
        Await.until("RUNNING", () -> f.state(r.id()).equals("RUNNING"));
        f.close();
        WorkDirs.remove(dir.resolve("assets/images/busybox"));
        f.start(ImageCatalog.load(dir.resolve("assets")));

        MicrovmRecord after = f.microvms.get(r.id());
        assertThat(after.state()).isEqualTo("TERMINATED");
        assertThat(after.stateReason()).isEqualTo("Image busybox no longer available after server restart");
        assertThat(f.driver.vm(r.id()).alive()).as("its VMM is stopped, not left running unowned").isFalse();
        assertThat(Path.of(r.workDir())).doesNotExist();
    }

    @Test
    void shouldRemoveTheWorkDirectoryWhenTheRecordCannotBeWritten() {
        f.store.close();
        assertThatThrownBy(() -> f.microvms.run(f.run(600))).isInstanceOf(StoreException.class);
        assertThat(f.dataDir.resolve("vms")).isEmptyDirectory();
        assertThat(f.driver.launched).isEmpty();
    }
}
