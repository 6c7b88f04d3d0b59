package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadsSweepTest {
    static final String A = "123456789012", B = "210987654321";
    static final byte[] ZIP = {'P', 'K', 5, 6, 0, 0, 0, 0};

    @TempDir
    Path tmp;

    private void age(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - Duration.ofHours(25).toMillis()));
    }

    @Test
    void shouldRemoveOldAndHalfWrittenUploadsOnly() throws Exception {
        Uploads uploads = new Uploads(tmp);
        Uploads.Upload fresh = uploads.store("000000000000", new ByteArrayInputStream(ZIP));
        Uploads.Upload old = uploads.store("000000000000", new ByteArrayInputStream(ZIP));
        Path oldFile = tmp.resolve(old.uploadId() + ".000000000000.zip");
        age(oldFile);
        Files.writeString(tmp.resolve("upl-000000000000000000000000.tmp"), "cut short by a crash");

        assertThat(uploads.sweep(Duration.ofHours(24), true)).isEqualTo(2);
        assertThat(oldFile).doesNotExist();
        assertThat(uploads.resolve("000000000000", fresh.uri())).exists();
        try (var left = Files.list(tmp)) {
            assertThat(left).hasSize(1);
        }
    }

    @Test
    void theSweepWhileRunningLeavesUploadsStillStreaming() throws Exception {
        Uploads uploads = new Uploads(tmp);
        Files.createDirectories(tmp);
        Path streaming = Files.writeString(tmp.resolve("upl-111111111111111111111111.tmp"), "still arriving");
        Path abandoned = Files.writeString(tmp.resolve("upl-222222222222222222222222.tmp"), "a day old");
        age(abandoned);
        assertThat(uploads.sweep(Uploads.LIFETIME, false)).isEqualTo(1);
        assertThat(streaming).exists();
        assertThat(abandoned).doesNotExist();
    }

    @Test
    void aTenantsUploadsAreBoundedInCountAndBytesAndExpiryFreesThem() throws Exception {
        Uploads uploads = new Uploads(tmp);
        Uploads.Limits two = new Uploads.Limits(2, 1000);
        Uploads.Upload first = uploads.store(A, new ByteArrayInputStream(ZIP), two);
        uploads.store(A, new ByteArrayInputStream(ZIP), two);
        assertThatThrownBy(() -> uploads.store(A, new ByteArrayInputStream(ZIP), two)).isInstanceOfSatisfying(ImageException.class,
                e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.QUOTA_EXCEEDED)).hasMessageContaining("maxUploads 2");
        uploads.store(B, new ByteArrayInputStream(ZIP), two); // another tenant's bound is its own

        // Bytes: counted as they stream, and an upload over the bound leaves nothing behind.
        byte[] big = new byte[600];
        big[0] = 'P';
        big[1] = 'K';
        Uploads.Limits bytes = new Uploads.Limits(10, 1000);
        uploads.store(B, new ByteArrayInputStream(big), bytes);
        assertThatThrownBy(() -> uploads.store(B, new ByteArrayInputStream(big), bytes)).isInstanceOfSatisfying(ImageException.class,
                e -> assertThat(e.resourceId()).isEqualTo("maxUploadBytes"));
        try (var files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
        uploads.store(B, new ByteArrayInputStream(ZIP), bytes); // the refused one's bytes were given back

        // Expiry frees the quota; a new Uploads (a restart) counts what is on disk.
        age(tmp.resolve(first.uploadId() + "." + A + ".zip"));
        assertThat(uploads.sweep(Uploads.LIFETIME, false)).isEqualTo(1);
        uploads.store(A, new ByteArrayInputStream(ZIP), two);
        assertThatThrownBy(() -> new Uploads(tmp).store(A, new ByteArrayInputStream(ZIP), two)).hasMessageContaining("maxUploads");
    }
}
