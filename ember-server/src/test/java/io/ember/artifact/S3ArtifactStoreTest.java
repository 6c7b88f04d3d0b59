package io.ember.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.artifact.ArtifactException.Reason;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reads from a real S3 server (S3Proxy, started here): what is read, and each way a read fails. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class S3ArtifactStoreTest {
    private static final byte[] ZIP = "PK\u0003\u0004 not really a zip, the store does not care".getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path dir;
    private S3TestServer s3;
    private S3ArtifactStore store;

    @BeforeAll
    void start() throws Exception {
        s3 = S3TestServer.start(Files.createTempDirectory("s3proxy-"));
        s3.createBucket("code");
        s3.put("code", "apps/app.zip", ZIP);
        s3.put("code", "big.zip", new byte[4096]);
        store = new S3ArtifactStore(s3.settings(), "eu-west-1");
    }

    @AfterAll
    void stop() {
        if (store != null) store.close();
        if (s3 != null) s3.close();
    }

    @Test
    void readsTheObjectWholeWithItsETag() throws Exception {
        Path target = dir.resolve("code.zip");
        Files.writeString(target, "an earlier attempt's bytes");
        StoredObject o = store.download(S3Location.parse("s3://code/apps/app.zip"), target, 1 << 20, () -> false);
        assertThat(Files.readAllBytes(target)).isEqualTo(ZIP);
        assertThat(o.sizeInBytes()).isEqualTo(ZIP.length);
        assertThat(o.eTag()).isNotBlank().doesNotContain("\"").isEqualTo(s3.eTag("code", "apps/app.zip"));
        assertThat(o.location()).hasToString("s3://code/apps/app.zip");
        assertThat(dir.resolve("code.zip.part")).doesNotExist();
    }

    @Test
    void aMissingKeyOrBucketIsWhatAwsReports() {
        ArtifactException key = fails(store, "s3://code/nope.zip");
        assertThat(key.reason()).isEqualTo(Reason.S3_NO_SUCH_KEY);
        assertThat(key.stateReason()).startsWith("S3_NO_SUCH_KEY: s3://code/nope.zip does not exist").contains("NoSuchKey");
        ArtifactException bucket = fails(store, "s3://no-such-bucket/app.zip");
        assertThat(bucket.reason()).isEqualTo(Reason.S3_NO_SUCH_BUCKET);
        assertThat(bucket.stateReason()).startsWith("S3_NO_SUCH_BUCKET: bucket no-such-bucket does not exist");
        assertThat(dir.resolve("code.zip")).doesNotExist();
    }

    @Test
    void wrongCredentialsAreAccessDenied() {
        try (S3ArtifactStore wrong = new S3ArtifactStore(s3.settings().withCredentials(S3TestServer.ACCESS_KEY, "not-the-secret"), "x")) {
            ArtifactException e = fails(wrong, "s3://code/apps/app.zip");
            assertThat(e.reason()).isEqualTo(Reason.S3_ACCESS_DENIED);
            assertThat(e.getMessage()).contains("the server's credentials may not read s3://code/apps/app.zip");
        }
    }

    @Test
    void theAllowListRefusesOtherBucketsWithoutAsking() throws Exception {
        try (S3ArtifactStore limited = new S3ArtifactStore(s3.settings().withAllowedBuckets(Set.of("other")), "x")) {
            ArtifactException e = fails(limited, "s3://code/apps/app.zip");
            assertThat(e.reason()).isEqualTo(Reason.S3_ACCESS_DENIED);
            assertThat(e.getMessage()).contains("bucket code is not one this server reads").contains("--s3-allowed-buckets");
        }
        try (S3ArtifactStore listed = new S3ArtifactStore(s3.settings().withAllowedBuckets(Set.of("other", "code")), "x")) {
            listed.checkAllowed(S3Location.parse("s3://code/anything"));
            assertThat(listed.download(S3Location.parse("s3://code/apps/app.zip"), dir.resolve("ok.zip"), 1 << 20, () -> false)
                    .sizeInBytes()).isEqualTo(ZIP.length);
        }
    }

    @Test
    void anObjectOverTheCapIsRefusedAndNothingIsKept() {
        ArtifactException e = fails(store, "s3://code/big.zip", 1000);
        assertThat(e.reason()).isEqualTo(Reason.S3_INVALID_OBJECT);
        assertThat(e.getMessage()).contains("larger than the 1000 bytes").contains("4096");
        assertThat(dir.resolve("code.zip")).doesNotExist();
        assertThat(dir.resolve("code.zip.part")).doesNotExist();
    }

    @Test
    void aCancelledReadStops() {
        ArtifactException e = assertThrows(() -> store.download(S3Location.parse("s3://code/big.zip"), dir.resolve("code.zip"), 1 << 20,
                () -> true));
        assertThat(e.getMessage()).contains("cancelled");
        assertThat(dir.resolve("code.zip")).doesNotExist();
    }

    @Test
    void anUnreachableStoreIsAPlatformErrorNamingIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closed);
        S3Settings settings = s3.settings().withEndpoint(nowhere).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(10));
        try (S3ArtifactStore down = new S3ArtifactStore(settings, "x")) {
            ArtifactException e = fails(down, "s3://code/apps/app.zip");
            assertThat(e.reason()).isEqualTo(Reason.INTERNAL_PLATFORM_ERROR);
            assertThat(e.getMessage()).contains("cannot reach the S3 store at " + nowhere);
        }
    }

    @Test
    void aStoreThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // Connections are accepted (by the kernel's backlog) and never answered.
            URI mute = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            S3Settings settings = s3.settings().withEndpoint(mute).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
                    Duration.ofSeconds(3));
            try (S3ArtifactStore store = new S3ArtifactStore(settings, "x")) {
                long t0 = System.nanoTime();
                ArtifactException e = fails(store, "s3://code/apps/app.zip");
                assertThat(e.reason()).isEqualTo(Reason.INTERNAL_PLATFORM_ERROR);
                assertThat(e.getMessage()).contains("cannot reach the S3 store at " + mute);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void noneReadsNothing() {
        assertThatThrownBy(() -> ArtifactStore.none().checkAllowed(S3Location.parse("s3://code/k")))
                .hasMessageContaining("reads no s3://");
    }

    private ArtifactException fails(ArtifactStore s, String uri) {
        return fails(s, uri, 1 << 20);
    }

    private ArtifactException fails(ArtifactStore s, String uri, long max) {
        return assertThrows(() -> s.download(S3Location.parse(uri), dir.resolve("code.zip"), max, () -> false));
    }

    interface Read {
        void run() throws ArtifactException;
    }

    private static ArtifactException assertThrows(Read r) {
        try {
            r.run();
        } catch (ArtifactException e) {
            return e;
        }
        throw new AssertionError("the read succeeded");
    }
}
