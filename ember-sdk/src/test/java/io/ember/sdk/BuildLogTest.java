package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BuildLogTest {
    static final String LOG = "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log";
    static final String BUILD = "/2025-09-09/microvm-images/demo/versions/1/builds/bld-1";

    @TempDir Path tmp;
    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();

    @Test
    void uploadCodeArtifact_streamsTheZipAsApplicationZip() throws Exception {
        byte[] zip = new byte[300_000];
        zip[0] = 'P';
        zip[1] = 'K';
        Path file = Files.write(tmp.resolve("app.zip"), zip);
        AtomicReference<byte[]> got = new AtomicReference<>();
        stub.on("POST", "/ember/v1/uploads", ex -> {
            got.set(Stub.body(ex));
            Stub.send(ex, 201, "application/json",
                    "{\"uploadId\":\"upl-1\",\"uri\":\"ember-upload://upl-1\",\"sizeInBytes\":300000}");
        });

        CodeArtifactUpload u = client.uploadCodeArtifact(file);

        assertThat(got.get()).isEqualTo(zip);
        assertThat(stub.last().header("Content-Type")).isEqualTo("application/zip");
        assertThat(stub.last().header("Content-Length")).isEqualTo("300000");
        assertThat(u).isEqualTo(new CodeArtifactUpload("upl-1", "ember-upload://upl-1", 300_000));
        assertThat(u.codeArtifact()).isEqualTo(CodeArtifact.of("ember-upload://upl-1"));
    }

    @Test
    void uploadCodeArtifact_errorsAreTyped_andAMissingFileIsUncheckedIo() {
        stub.on("POST", "/ember/v1/uploads", ex -> {
            Stub.body(ex);
            Stub.error(ex, 400, "ValidationException", "the upload is not a zip file");
        });
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> client.uploadCodeArtifact(write("x.zip", "hello")))).hasMessage("the upload is not a zip file");
        assertThat(catchThrowableOfType(UncheckedIOException.class,
                () -> client.uploadCodeArtifact(tmp.resolve("missing.zip")))).isNotNull();
    }

    @Test
    void getBuildLog_fromOffset_withoutFollow() {
        stub.on("GET", LOG, ex -> Stub.send(ex, 200, "text/plain", "step two\n"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long next = client.getBuildLog("demo", "1", "bld-1", 9, false, out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("step two\n");
        assertThat(next).isEqualTo(18);
        assertThat(stub.last().rawQuery()).isEqualTo("offset=9");
        assertThat(stub.last().header("Accept")).isEqualTo("text/plain");
    }

    @Test
    void followBuildLog_deliversLinesAsTheyArrive() throws Exception {
        CountDownLatch firstSeen = new CountDownLatch(1);
        stub.on("GET", LOG, ex -> {
            OutputStream out = Stub.startText(ex);
            Stub.text(out, "[    0.1s] Step 1/2 : FROM debian\n[    0.2s] Step 2/2 : RU");
            // The second half comes only once the client has handed the first line on: proof of streaming.
            if (!firstSeen.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("first line not delivered");
            Stub.text(out, "N echo hi\nhi\nno newline at the end");
        });
        stub.json("GET", BUILD, 200, ImageFixtures.build("1", "bld-1", "SUCCESSFUL"));
        List<String> lines = new CopyOnWriteArrayList<>();

        long end = client.followBuildLog("demo", "1", "bld-1", 0, line -> {
            lines.add(line);
            firstSeen.countDown();
        });

        assertThat(lines).containsExactly("[    0.1s] Step 1/2 : FROM debian", "[    0.2s] Step 2/2 : RUN echo hi", "hi",
                "no newline at the end");
        assertThat(end).isEqualTo(("[    0.1s] Step 1/2 : FROM debian\n[    0.2s] Step 2/2 : RUN echo hi\nhi\n"
                + "no newline at the end").length());
        assertThat(stub.seen.get(0).rawQuery()).isEqualTo("offset=0&follow=true");
    }

    @Test
    void followBuildLog_resumesFromItsOffset_whenTheStreamEndsBeforeTheBuild() {
        AtomicInteger logCalls = new AtomicInteger();
        stub.on("GET", LOG, ex -> Stub.send(ex, 200, "text/plain", logCalls.incrementAndGet() == 1 ? "one\n" : "two\n"));
        AtomicInteger buildCalls = new AtomicInteger();
        stub.on("GET", BUILD, ex -> Stub.send(ex, 200, "application/json",
                ImageFixtures.build("1", "bld-1", buildCalls.incrementAndGet() == 1 ? "IN_PROGRESS" : "FAILED")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long end = client.followBuildLog("demo", "1", "bld-1", 4, out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
        assertThat(end).isEqualTo(12);
        List<String> logQueries = stub.seen.stream().filter(s -> s.rawPath().equals(LOG)).map(Stub.Seen::rawQuery).toList();
        assertThat(logQueries).containsExactly("offset=4&follow=true", "offset=8&follow=true");
    }

    @Test
    void followBuildLog_givesUp_whenTheStreamKeepsEndingWithoutProgress() {
        stub.on("GET", LOG, ex -> Stub.send(ex, 200, "text/plain", ""));
        AtomicInteger buildCalls = new AtomicInteger();
        try (Transport t = new Transport(java.net.URI.create(stub.url()), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5),
                CredentialsProvider.of(Stub.CREDENTIALS), "local")) {
            BuildLogs logs = new BuildLogs(t, o -> LOG + "?offset=" + o + "&follow=true", () -> {
                buildCalls.incrementAndGet();
                return BuildState.IN_PROGRESS;
            }, java.time.Duration.ofMillis(5));
            UncheckedIOException e = catchThrowableOfType(UncheckedIOException.class, () -> logs.follow(0, OutputStream.nullOutputStream()));
            assertThat(e).hasMessageContaining("keeps ending while the build is IN_PROGRESS");
        }
        assertThat(buildCalls.get()).isEqualTo(BuildLogs.MAX_IDLE_RECONNECTS + 1);
    }

    @Test
    void lineSplitter_splitsOverlongLines_andDropsCarriageReturns() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (BuildLogs.LineSplitter s = new BuildLogs.LineSplitter(lines::add)) {
            s.write(("a\r\n" + "x".repeat(BuildLogs.LineSplitter.MAX_LINE + 1) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("a");
        assertThat(lines.get(1)).hasSize(BuildLogs.LineSplitter.MAX_LINE);
        assertThat(lines.get(2)).isEqualTo("x");
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }
}
