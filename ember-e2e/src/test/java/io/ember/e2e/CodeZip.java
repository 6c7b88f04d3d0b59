package io.ember.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A code artifact (a zip with a Dockerfile and files) written to a temporary file. */
final class CodeZip {
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    static CodeZip dockerfile(String text) {
        CodeZip z = new CodeZip();
        z.files.put("Dockerfile", text.getBytes(StandardCharsets.UTF_8));
        return z;
    }

    /** A zip without a Dockerfile: its build fails at once (AWS: ARCHIVE_DOCKERFILE_NOT_FOUND). */
    static CodeZip withoutDockerfile() {
        return new CodeZip().file("README", "no Dockerfile here\n");
    }

    CodeZip file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    CodeZip file(String name, byte[] bytes) {
        files.put(name, bytes);
        return this;
    }

    Path write(Path dir) throws IOException {
        Path zip = Files.createTempFile(dir, "code", ".zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return zip;
    }
}
