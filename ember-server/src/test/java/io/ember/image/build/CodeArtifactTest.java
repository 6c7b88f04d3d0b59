package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.image.build.CodeArtifact.Entry;
import io.ember.image.build.CodeArtifact.Type;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeArtifactTest {
    @TempDir
    Path tmp;

    Path zip(TestZip z) throws IOException {
        return z.write(tmp.resolve("code-" + System.nanoTime() + ".zip"));
    }

    void refused(TestZip z, String message) throws IOException {
        Path p = zip(z);
        assertThatThrownBy(() -> CodeArtifact.open(p).close()).isInstanceOf(BuildFailure.class).hasMessage(message);
    }

    static String read(CodeArtifact a, String path) throws IOException {
        try (InputStream in = a.open(a.entry(path).orElseThrow())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void open_readsTheTreeWithModesAndImpliedDirectories() throws Exception {
        Path p = zip(new TestZip().file("Dockerfile", "FROM busybox\n").file("app/bin/run.sh", "#!/bin/sh\n".getBytes(), 0100755)
                .dir("app/data", 0700).file("app/data/x.txt", "x").symlink("app/link", "bin/run.sh").dosFile("win.txt", "w"));
        try (CodeArtifact a = CodeArtifact.open(p)) {
            assertThat(a.dockerfile()).isEqualTo("FROM busybox\n");
            assertThat(a.entry("app/bin/run.sh").orElseThrow()).isEqualTo(new Entry("app/bin/run.sh", Type.FILE, 10, 0755));
            assertThat(a.entry("app").orElseThrow()).isEqualTo(new Entry("app", Type.DIRECTORY, 0, null));
            assertThat(a.entry("app/bin").orElseThrow().type()).isEqualTo(Type.DIRECTORY);
            assertThat(a.entry("app/data").orElseThrow().mode()).isEqualTo(0700);
            assertThat(a.entry("app/link").orElseThrow().type()).isEqualTo(Type.SYMLINK);
            assertThat(a.linkTarget(a.entry("app/link").orElseThrow())).isEqualTo("bin/run.sh");
            assertThat(a.entry("win.txt").orElseThrow().mode()).isNull();
            assertThat(read(a, "app/data/x.txt")).isEqualTo("x");
            assertThat(read(a, "win.txt")).isEqualTo("w");
            assertThat(a.under("app")).extracting(Entry::path)
                    .containsExactly("app/bin", "app/bin/run.sh", "app/data", "app/data/x.txt", "app/link");
            assertThat(a.under("")).hasSize(8);
        }
    }

    @Test
    void open_readsWhatJavasOwnZipWriterProduces() throws Exception {
        Path p = tmp.resolve("jdk.zip");
        byte[] big = new byte[3 << 20];
        new Random(1).nextBytes(big);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("Dockerfile"));
            z.write("FROM debian\n".getBytes());
            z.putNextEntry(new ZipEntry("dir/"));
            z.putNextEntry(new ZipEntry("dir/big.bin"));
            z.write(big);
        }
        try (CodeArtifact a = CodeArtifact.open(p); InputStream in = a.open(a.entry("dir/big.bin").orElseThrow())) {
            assertThat(a.dockerfile()).isEqualTo("FROM debian\n");
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
    }

    @Test
    void open_refusesZipSlipAndAbsolutePaths() throws Exception {
        refused(new TestZip().file("../evil", "x"), "invalid code artifact: entry '../evil' escapes the artifact with '..'");
        refused(new TestZip().file("a/../../evil", "x"), "invalid code artifact: entry 'a/../../evil' escapes the artifact with '..'");
        refused(new TestZip().file("/etc/passwd", "x"), "invalid code artifact: entry '/etc/passwd' is an absolute path");
        refused(new TestZip().file("C:/x", "x"), "invalid code artifact: entry 'C:/x' is an absolute path");
        refused(new TestZip().file("a\\..\\..\\x", "x"), "invalid code artifact: entry 'a\\..\\..\\x' contains a backslash (use / as the separator)");
        refused(new TestZip().file("a//b", "x"), "invalid code artifact: entry 'a//b' has an empty or '.' path segment");
        refused(new TestZip().file("./a", "x"), "invalid code artifact: entry './a' has an empty or '.' path segment");
        refused(new TestZip().file("a\nb", "x"), "invalid code artifact: entry 'a\\x0ab' contains a control character");
    }

    @Test
    void open_refusesDuplicatesAndNamesThatAreBothFileAndDirectory() throws Exception {
        refused(new TestZip().file("a.txt", "1").file("a.txt", "2"), "invalid code artifact: entry 'a.txt' appears twice");
        refused(new TestZip().dir("d", 0755).dir("d/", 0755), "invalid code artifact: entry 'd/' appears twice");
        refused(new TestZip().file("a", "1").file("a/b", "2"), "invalid code artifact: entry 'a' is both a file and a directory");
    }

    @Test
    void open_enforcesTheLimits() throws Exception {
        TestZip many = new TestZip();
        for (int i = 0; i < 11; i++) many.file("f" + i, "x");
        Path p = zip(many);
        assertThatThrownBy(() -> CodeArtifact.open(p, new CodeArtifact.Limits(10, 1 << 20, 1 << 20)))
                .hasMessage("invalid code artifact: the zip has 11 entries, more than the limit of 10");
        Path big = zip(new TestZip().file("a", new byte[600], 0100644).file("b", new byte[600], 0100644));
        assertThatThrownBy(() -> CodeArtifact.open(big, new CodeArtifact.Limits(10, 1000, 700)))
                .hasMessage("invalid code artifact: its files add up to more than 1000 bytes uncompressed");
        assertThatThrownBy(() -> CodeArtifact.open(big, new CodeArtifact.Limits(10, 10_000, 500)))
                .hasMessage("invalid code artifact: entry 'a' is larger than the per-file limit of 500 bytes");
        assertThat(CodeArtifact.Limits.defaults()).isEqualTo(new CodeArtifact.Limits(10_000, 1L << 30, 512L << 20));
    }

    @Test
    void open_refusesSpecialFilesAndNonZips() throws Exception {
        refused(new TestZip().file("fifo", new byte[0], 0010644), "invalid code artifact: entry 'fifo' is a device, pipe or socket");
        Path notZip = Files.writeString(tmp.resolve("x.zip"), "hello, this is not a zip file at all");
        assertThatThrownBy(() -> CodeArtifact.open(notZip)).hasMessage("invalid code artifact: not a zip file (no end of central directory record)");
        assertThatThrownBy(() -> CodeArtifact.open(tmp.resolve("missing.zip"))).hasMessageStartingWith("cannot read the code artifact: ");
    }

    @Test
    void read_aZipBombThatLiesAboutItsSizeStopsAtTheDeclaredSize() throws Exception {
        Path p = zip(new TestZip().lying("bomb", new byte[5 << 20], 1000));
        try (CodeArtifact a = CodeArtifact.open(p); InputStream in = a.open(a.entry("bomb").orElseThrow())) {
            assertThat(a.entry("bomb").orElseThrow().size()).isEqualTo(1000);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessage("bomb: more data than its declared size of 1000 bytes");
        }
        Path shortData = zip(new TestZip().lying("short", new byte[10], 20));
        try (CodeArtifact a = CodeArtifact.open(shortData); InputStream in = a.open(a.entry("short").orElseThrow())) {
            assertThatThrownBy(in::readAllBytes).hasMessage("short: 10 bytes of data where 20 were declared");
        }
    }

    @Test
    void read_corruptDataFailsItsCrc() throws Exception {
        Path p = zip(new TestZip().dosFile("f.txt", "hello world"));
        byte[] b = Files.readAllBytes(p);
        int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("hello world");
        b[at] = 'j';
        Files.write(p, b);
        try (CodeArtifact a = CodeArtifact.open(p); InputStream in = a.open(a.entry("f.txt").orElseThrow())) {
            assertThatThrownBy(in::readAllBytes).hasMessage("f.txt: CRC mismatch (corrupt data)");
        }
    }

    @Test
    void dockerfile_missingOrNotAFile() throws Exception {
        try (CodeArtifact a = CodeArtifact.open(zip(new TestZip().file("app.py", "print()")))) {
            assertThatThrownBy(a::dockerfile).hasMessage("the code artifact has no Dockerfile at its root");
        }
        try (CodeArtifact a = CodeArtifact.open(zip(new TestZip().file("Dockerfile/x", "y")))) {
            assertThatThrownBy(a::dockerfile).hasMessage("the Dockerfile in the code artifact is not a regular file");
        }
        try (CodeArtifact a = CodeArtifact.open(zip(new TestZip().file("dockerfile", "FROM busybox")))) {
            assertThat(a.dockerfile()).isEqualTo("FROM busybox");
        }
    }
}
