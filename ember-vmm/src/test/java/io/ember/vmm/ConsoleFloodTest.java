package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest flooding its serial console must cost the server little: the console reader is rate-limited per VM and
 * reads in blocks, and while it does not read, the guest's UART waits (the back-pressure lands on the guest).
 */
class ConsoleFloodTest {
    /** Of one core, over the measured window. Reading as the bytes came cost 30 % here (65 to 94 % on the probe's host). */
    static final double MAX_CPU_SHARE = 0.10;

    @TempDir
    Path tmp;

    @Test
    void aConsoleFloodCostsTheServerLittleCpu_andIsRateLimited() throws Exception {
        GuestAssets assets = GuestAssets.require();
        QemuDriver driver = new QemuDriver(QemuConfig.defaults());
        Vm vm = driver.launch(assets.spec("vm-flood", tmp.resolve("flood"), "busybox", "host-flood"));
        try (GuestAgent a = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5))) {
            a.hello(QemuDriverTest.BOOT);
            ConsoleReader console = ((QemuVm) vm).console();
            try (ExecStream flood = a.exec(new ExecRequest(List.of("sh", "-c", "yes ember-console-flood > /dev/console"),
                    QemuDriverTest.ENV, "/", Duration.ofSeconds(120), false))) {
                assertThat(flood.next(Duration.ofSeconds(5))).isInstanceOf(ExecEvent.Started.class);
                // Past the burst the bucket allows, and past the JIT's first work: then measure.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (console.throttled().isZero() && System.nanoTime() < until) Thread.sleep(100);
                assertThat(console.throttled()).as("the flood went over the rate").isPositive();
                Thread.sleep(1000);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime(), bytes0 = console.bytesRead(), reads0 = console.reads();
                Thread.sleep(6000);
                long cpu = os.getProcessCpuTime() - cpu0, wall = System.nanoTime() - t0;
                long read = console.bytesRead() - bytes0, reads = console.reads() - reads0;
                double share = (double) cpu / wall, seconds = wall / 1e9;
                System.out.printf("console flood: server CPU %.1f %% of a core, console read at %.0f bytes/s (limit %d) "
                        + "in %.0f reads/s%n", 100 * share, read / seconds, ConsoleReader.RATE, reads / seconds);
                assertThat(share).as("share of a core spent while the guest floods its console").isLessThan(MAX_CPU_SHARE);
                assertThat(read / seconds).as("console bytes read per second").isLessThan(ConsoleReader.RATE * 1.3);
                assertThat(reads / seconds).as("reads per second").isLessThanOrEqualTo(1000.0 / ConsoleReader.GAP.toMillis() + 1);
                assertThat(flood.next(Duration.ofMillis(10))).as("still flooding").isNull();
            }
            assertThat(a.failure()).isNotDone();
            Path log = vm.consoleLog(), old = log.resolveSibling("console.log.1");
            String both = (Files.exists(old) ? Files.readString(old) : "") + Files.readString(log); // in the order written
            assertThat(both).contains("[ember: console over " + ConsoleReader.RATE / 1024 + " KiB/s: reading paused");
            // Held back, not lost: past the boot's lines and without the reader's notes, every whole line is the guest's.
            String guest = both.substring(both.indexOf("ember-console-flood")).replaceAll("\n\\[ember: console[^\n]*\n", "");
            List<String> lines = guest.lines().toList();
            assertThat(lines.subList(0, lines.size() - 1)).as("lines mangled by lost bytes")
                    .allMatch(l -> l.equals("ember-console-flood"));
        } finally {
            vm.terminate(Duration.ofSeconds(2));
        }
    }
}
