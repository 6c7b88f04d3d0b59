package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadsSweepTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRemoveOldAndHalfWrittenUploadsOnly() throws Exception {
        Uploads uploads = new Uploads(tmp);
        byte[] zip = {'P', 'K', 5, 6, 0, 0, 0, 0};
        Uploads.Upload fresh = uploads.store("000000000000", new ByteArrayInputStream(zip));
        Uploads.Upload old = uploads.store("000000000000", new ByteArrayInputStream(zip));
        Path oldFile = tmp.resolve(old.uploadId() + ".000000000000.zip");
        Files.setLastModifiedTime(oldFile, FileTime.fromMillis(System.currentTimeMillis() - Duration.ofHours(25).toMillis()));
        Files.writeString(tmp.resolve("upl-000000000000000000000000.tmp"), "cut short by a crash");

        assertThat(uploads.sweep(Duration.ofHours(24))).isEqualTo(2);
        assertThat(oldFile).doesNotExist();
        assertThat(uploads.resolve("000000000000", fresh.uri())).exists();
        try (var left = Files.list(tmp)) {
            assertThat(left).hasSize(1);
        }
    }
}
