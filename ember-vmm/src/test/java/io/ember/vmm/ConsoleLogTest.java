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
}
