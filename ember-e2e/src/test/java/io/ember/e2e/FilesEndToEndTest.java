package io.ember.e2e;

import io.ember.sdk.FileEntry;
import io.ember.sdk.FileInfo;
import io.ember.sdk.ResourceNotFoundException;
import io.ember.sdk.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Moving files in and out of /workspace of a real microVM. */
class FilesEndToEndTest extends OneVmPerClass {

    @Test
    void shouldRoundTripTwentyMegabytesOfBinaryWithTheSameSha256(@TempDir Path tmp) throws Exception {
        Path local = tmp.resolve("blob.bin");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(42);
        try (var out = Files.newOutputStream(local)) {
            for (int i = 0; i < 20; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        String localSum = sha256(local);

        assertThat(server.client().uploadFile(vm.id, "/workspace/blob.bin", local, 0640).size())
                .isEqualTo(20L << 20);
        assertThat(vm.ok("sha256sum /workspace/blob.bin | cut -d' ' -f1").trim()).isEqualTo(localSum);
        assertThat(vm.ok("stat -c %a /workspace/blob.bin").trim()).isEqualTo("640");

        Path back = tmp.resolve("back.bin");
        assertThat(server.client().downloadFile(vm.id, "/workspace/blob.bin", back)).isEqualTo(20L << 20);
        assertThat(sha256(back)).isEqualTo(localSum);
    }

    @Test
    void shouldCopyBothWaysWithTheCli(@TempDir Path tmp) throws Exception {
        Path local = tmp.resolve("notes.txt");
        Files.writeString(local, "written on the host\n");
        assertThat(server.cli("cp", local.toString(), vm.id + ":/workspace/notes.txt").exitCode()).isZero();
        assertThat(vm.ok("cat /workspace/notes.txt")).isEqualTo("written on the host\n");

        vm.ok("echo written in the guest > /workspace/from-guest.txt");
        Path down = tmp.resolve("down.txt");
        assertThat(server.cli("cp", vm.id + ":from-guest.txt", down.toString()).exitCode()).isZero();
        assertThat(Files.readString(down)).isEqualTo("written in the guest\n");

        EmberTestServer.CliResult toStdout = server.cli("cp", vm.id + ":/workspace/from-guest.txt", "-");
        assertThat(toStdout.stdout()).isEqualTo("written in the guest\n");
    }

    @Test
    void shouldStatListMakeAndRemove() {
        var client = server.client();
        client.mkdir(vm.id, "/workspace/a/b/c", true);
        client.uploadFile(vm.id, "/workspace/a/b/c/f.txt",
                InputStream.nullInputStream(), 0644);
        client.uploadFile(vm.id, "a/hello.txt",
                new java.io.ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), 0600);

        FileInfo info = client.stat(vm.id, "/workspace/a/hello.txt");
        assertThat(info.type()).isEqualTo("file");
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.mode()).isEqualTo(0600);
        assertThat(client.stat(vm.id, "/workspace/a").isDirectory()).isTrue();
        assertThat(client.list(vm.id, "/workspace/a")).extracting(FileEntry::name)
                .containsExactlyInAnyOrder("b", "hello.txt");

        assertThatThrownBy(() -> client.remove(vm.id, "/workspace/a", false))
                .isInstanceOf(ValidationException.class);
        client.remove(vm.id, "/workspace/a", true);
        assertThatThrownBy(() -> client.stat(vm.id, "/workspace/a"))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void shouldAnswerTypedErrorsForBadFileRequests() {
        var client = server.client();
        assertThatThrownBy(() -> client.downloadFile(vm.id, "/workspace/no-such-file", java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> client.downloadFile(vm.id, "/workspace", java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> client.uploadFile(vm.id, "/workspace/missing-dir/x.txt",
                InputStream.nullInputStream(), 0644))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> client.list(vm.id, "/workspace/nothing-here"))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
