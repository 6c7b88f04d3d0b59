package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FilesTest {
    private static final String FILES = "/ember/v1/microvms/mvm-1/files";
    private static final int SIZE = 20 << 20;
    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();
    @TempDir Path tmp;

    @Test
    void uploadFile_streams20MbFileWithLengthAndMode() throws Exception {
        Path local = tmp.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        CRC32 expected = new CRC32();
        try (OutputStream out = Files.newOutputStream(local)) {
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
                expected.update(chunk);
            }
        }
        AtomicLong received = new AtomicLong();
        CRC32 got = new CRC32();
        stub.on("PUT", FILES, ex -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = ex.getRequestBody()) {
                for (int n; (n = in.read(buf)) != -1; ) {
                    received.addAndGet(n);
                    got.update(buf, 0, n);
                }
            }
            Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/big.bin\",\"size\":" + received.get() + "}");
        });

        UploadResult r = client.uploadFile("mvm-1", "big.bin", local, 0640);

        assertThat(r).isEqualTo(new UploadResult("/workspace/big.bin", SIZE));
        assertThat(got.getValue()).isEqualTo(expected.getValue());
        assertThat(stub.last().rawQuery()).isEqualTo("path=big.bin&mode=0640");
        assertThat(stub.last().header("Content-Length")).isEqualTo(Integer.toString(SIZE));
        assertThat(stub.last().header("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void uploadFile_fromStream_readsTheSourceOnlyAsTheServerTakesIt() throws Exception {
        CountingSource source = new CountingSource(SIZE);
        try (SlowUploadServer slow = new SlowUploadServer(source.produced::get)) {
            try (EmberClient c = EmberClient.builder().endpoint(slow.url()).credentials(Stub.CREDENTIALS).build()) {
                UploadResult r = c.uploadFile("mvm-1", "/workspace/x", source, null);
                assertThat(r.size()).isEqualTo(SIZE);
            }
            assertThat(slow.bodyBytes()).isEqualTo(SIZE);
            // Had the client read the whole source before sending, all 20 MiB would be gone by now.
            assertThat(slow.producedAtPause()).isLessThan(SIZE / 2);
        }
    }

    @Test
    void downloadFile_toPath_streamsAndCompletesAtomically() throws Exception {
        byte[] chunk = new byte[1 << 20];
        new Random(2).nextBytes(chunk);
        stub.on("GET", FILES, ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 20; i++) out.write(chunk);
            }
        });
        Path local = tmp.resolve("down.bin");

        long n = client.downloadFile("mvm-1", "/workspace/a b.bin", local);

        assertThat(n).isEqualTo(SIZE);
        assertThat(Files.size(local)).isEqualTo(SIZE);
        assertThat(stub.last().rawQuery()).isEqualTo("path=%2Fworkspace%2Fa%20b.bin");
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).as("no partial files left").containsExactly(local);
        }
    }

    @Test
    void downloadFile_missing_isNotFound_andLeavesNothing() throws Exception {
        stub.on("GET", FILES, ex -> Stub.error(ex, 404, "ResourceNotFoundException", "no such file"));
        Path local = tmp.resolve("nothing.bin");
        assertThat(catchThrowable(() -> client.downloadFile("mvm-1", "/nope", local)))
                .isInstanceOf(ResourceNotFoundException.class);
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).isEmpty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(catchThrowable(() -> client.downloadFile("mvm-1", "/nope", out))).isInstanceOf(ResourceNotFoundException.class);
        assertThat(out.size()).isZero();
    }

    @Test
    void stat_list_mkdir_remove() {
        stub.json("GET", FILES + "/stat", 200,
                "{\"path\":\"/workspace\",\"type\":\"directory\",\"size\":4096,\"mode\":493,\"modifiedAt\":1767225600.5}");
        stub.json("GET", FILES + "/list", 200, "{\"entries\":[{\"name\":\"a.txt\",\"type\":\"file\",\"size\":3,"
                + "\"mode\":\"0644\",\"modifiedAt\":1767225600}]}");
        AtomicReference<JsonNode> mkdirBody = new AtomicReference<>();
        stub.on("POST", FILES + "/mkdir", ex -> {
            mkdirBody.set(Json.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", "{}");
        });
        stub.on("DELETE", FILES, ex -> Stub.send(ex, 200, "application/json", ""));

        FileInfo info = client.stat("mvm-1", "/workspace");
        List<FileEntry> entries = client.list("mvm-1", "/workspace");
        client.mkdir("mvm-1", "a/b", true);
        client.remove("mvm-1", "a", true);

        assertThat(info).isEqualTo(new FileInfo("/workspace", "directory", 4096, 0755, Instant.ofEpochSecond(1767225600L, 500_000_000)));
        assertThat(info.isDirectory()).isTrue();
        assertThat(entries).containsExactly(new FileEntry("a.txt", "file", 3, 0644, Instant.ofEpochSecond(1767225600L)));
        assertThat(mkdirBody.get().toString()).isEqualTo("{\"path\":\"a/b\",\"parents\":true}");
        assertThat(stub.last().rawQuery()).isEqualTo("path=a&recursive=true");
    }

    /** Produces deterministic bytes on demand and counts how many were taken. */
    static final class CountingSource extends InputStream {
        final AtomicLong produced = new AtomicLong();
        private final long size;

        CountingSource(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long left = size - produced.get();
            if (left <= 0) return -1;
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) b[off + i] = (byte) (produced.get() + i);
            produced.addAndGet(n);
            return n;
        }
    }
}
