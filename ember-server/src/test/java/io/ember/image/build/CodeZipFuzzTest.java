package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The code-zip reader (central directory, entries' names and types, their data), fed any bytes a tenant can upload.
 * Properties: a zip opens or is refused with a {@link BuildFailure}; an entry's data reads or fails with an
 * IOException, and never yields more than its declared size; and a zip written by java.util.zip reads back with the
 * same names and contents.
 */
class CodeZipFuzzTest {
    private static final CodeArtifact.Limits LIMITS = new CodeArtifact.Limits(1000, 1L << 20, 256 << 10);
    private static Path zip;

    @BeforeAll
    static void file() throws IOException {
        zip = Files.createTempFile("ember-fuzz", ".zip");
    }

    @AfterAll
    static void remove() throws IOException {
        Files.deleteIfExists(zip);
    }

    @FuzzTest(maxDuration = "10s")
    void anyZip(byte[] bytes) throws IOException {
        Files.write(zip, bytes);
        CodeArtifact artifact;
        try {
            artifact = CodeArtifact.open(zip, LIMITS);
        } catch (BuildFailure refused) {
            return;
        }
        try (artifact) {
            assertThat(artifact.entry("")).get().extracting(CodeArtifact.Entry::type).isEqualTo(CodeArtifact.Type.DIRECTORY);
            for (CodeArtifact.Entry e : artifact.entries()) {
                assertThat(e.path()).doesNotStartWith("/").doesNotContain("\\").isNotEqualTo("..");
                if (e.type() == CodeArtifact.Type.DIRECTORY) continue;
                assertThat(e.size()).isBetween(0L, LIMITS.maxFileBytes());
                try (InputStream in = artifact.open(e)) {
                    assertThat(in.readAllBytes().length).isEqualTo(e.size()); // a short read fails instead
                } catch (IOException corrupt) {
                    // typed: the COPY fails with this message
                }
            }
            try {
                artifact.dockerfile();
            } catch (BuildFailure refused) {
                // no Dockerfile, or not a readable one
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void writtenByJavaUtilZip(FuzzedDataProvider data) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int n = data.consumeInt(1, 8); n > 0; n--) {
                String name = data.consumeString(30);
                // names the artifact accepts: relative, no '.' or '..' segment, no file that is also a directory
                List<String> segments = List.of(name.split("/"));
                if (!name.matches("[A-Za-z0-9._-]{1,20}(/[A-Za-z0-9._-]{1,10}){0,2}") || segments.contains(".") || segments.contains("..")
                        || files.keySet().stream().anyMatch(f -> f.startsWith(name + "/") || name.startsWith(f + "/"))
                        || files.containsKey(name)) continue;
                byte[] content = data.consumeBytes(data.consumeInt(0, 4096));
                ZipEntry e = new ZipEntry(name);
                if (data.consumeBoolean()) { // stored needs its sizes and CRC up front
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(content.length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(content);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(content);
                z.closeEntry();
                files.put(name, content);
            }
        }
        if (files.isEmpty()) return;
        Files.write(zip, out.toByteArray());
        try (CodeArtifact artifact = CodeArtifact.open(zip, LIMITS)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                CodeArtifact.Entry e = artifact.entry(f.getKey()).orElseThrow();
                assertThat(e.type()).isEqualTo(CodeArtifact.Type.FILE);
                try (InputStream in = artifact.open(e)) {
                    assertThat(in.readAllBytes()).isEqualTo(f.getValue());
                }
            }
        }
    }
}
