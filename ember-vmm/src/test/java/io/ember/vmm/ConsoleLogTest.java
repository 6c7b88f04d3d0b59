package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleLogTest {
    @TempDir
    Path dir;

    @Test
    void write_rotatesSoAtMostTwoFilesOfTheLimitExist() throws Exception {
        Path f = dir.resolve("console.log");
        try (ConsoleLog log = new ConsoleLog(f, 1000)) {
            byte[] chunk = new byte[333];
            for (int i = 0; i < 100; i++) {
                java.util.Arrays.fill(chunk, (byte) ('a' + i % 26));
                log.write(chunk, 0, chunk.length);
                assertThat(Files.size(f)).isLessThan(1000);
            }
        }
        assertThat(Files.size(dir.resolve("console.log.1"))).isEqualTo(1000);
        assertThat(Files.size(f)).isEqualTo(100 * 333 % 1000);
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(2);
        }
        // the newest bytes are kept: the last chunk was 'v' (99 % 26 = 21)
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).endsWith("vvv");
    }

    @Test
    void reopen_appendsAndRespectsTheLimitOfWhatIsThere() throws Exception {
        Path f = dir.resolve("console.log");
        Files.write(f, new byte[1500]); // left by an earlier server, larger than the limit
        try (ConsoleLog log = new ConsoleLog(f, 1000)) {
            log.write("hello".getBytes(StandardCharsets.UTF_8), 0, 5);
        }
        assertThat(Files.readString(f)).isEqualTo("hello");
        assertThat(Files.size(dir.resolve("console.log.1"))).isEqualTo(1500);
        try (ConsoleLog log = new ConsoleLog(f, 1000)) {
            log.write(" again".getBytes(StandardCharsets.UTF_8), 0, 6);
        }
        assertThat(Files.readString(f)).isEqualTo("hello again");
    }

    @Test
    void reason_saysHowTheProcessEnded() {
        assertThat(QemuVm.reason(137, false)).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(QemuVm.reason(1, false)).isEqualTo("exit code 1");
        assertThat(QemuVm.reason(0, false)).isEqualTo("exit code 0: the guest powered off");
        assertThat(QemuVm.reason(0, true)).isEqualTo("terminated on request (exit code 0: the guest powered off)");
        assertThat(QemuVm.reason(null, false)).contains("exit status unknown");
    }

    @Test
    void lastPanic_findsThePanicLineAtTheEndOfTheConsole() throws Exception {
        Path f = dir.resolve("console.log");
        assertThat(ConsoleLog.lastPanic(f)).as("no console at all").isEmpty();
        Files.writeString(f, "[    1.0] booting\r\nsome Kernel panic talk that is not a panic\r\n");
        assertThat(ConsoleLog.lastPanic(f)).isEmpty();
        Files.writeString(f, "[    5.1] sysrq: Trigger a crash\r\n[    5.2] Kernel panic - not syncing: sysrq triggered crash\r\n"
                + "[    5.3] CPU: 0 PID: 1 Comm: sh\r\n[    5.9] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\r\n");
        assertThat(ConsoleLog.lastPanic(f)).contains("Kernel panic - not syncing: sysrq triggered crash");
    }

    @Test
    void lastPanic_isBoundedAndPrintable() throws Exception {
        Path f = dir.resolve("console.log");
        // The guest writes the console: a hostile one gets a bounded, printable line and nothing more.
        Files.writeString(f, "Kernel panic - not syncing: \u001b[31m" + "x".repeat(5000) + "\n", StandardCharsets.ISO_8859_1);
        String line = ConsoleLog.lastPanic(f).orElseThrow();
        assertThat(line).hasSizeLessThan(260).startsWith("Kernel panic - not syncing: ?[31mxxx").endsWith("...");
        // just rotated: the panic is at the end of console.log.1
        Files.writeString(dir.resolve("console.log.1"), "Kernel panic - not syncing: Attempted to kill init!\n");
        Files.writeString(f, "\n");
        assertThat(ConsoleLog.lastPanic(f)).contains("Kernel panic - not syncing: Attempted to kill init!");
    }
}
