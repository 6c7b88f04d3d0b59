package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.Dockerfile;
import io.ember.image.build.ImageConfig;
import io.ember.store.EventRecord;
import io.ember.store.ImageBuildRecord;
import io.ember.store.ImageRecord;
import io.ember.store.ImageStore;
import io.ember.store.ImageVersionRecord;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import io.ember.testing.Assets;
import io.ember.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image service over the real store and fake (absent) machines: recovery, conflicts, pure helpers. */
class ImagesTest {
    @TempDir
    Path dir;
    private Store store;
    private ImageStore images;
    private ImageCatalog catalog;
    private Images service;

    @BeforeEach
    void open() throws Exception {
        catalog = ImageCatalog.load(Assets.create(dir.resolve("assets")));
        store = Store.open(dir.resolve("data/ember.db"));
        images = ImageStore.open(dir.resolve("data/ember.db"));
    }

    @AfterEach
    void close() {
        if (service != null) service.close();
        images.close();
        store.close();
    }

    private Images start() {
        service = Images.start(catalog, images, dir.resolve("data"), BuildMachines.unsupported(), BuildSettings.defaults(catalog));
        return service;
    }

    private void record(String id, String name, int version, String buildId, String buildState) {
        Instant now = Instant.now();
        if (images.image(id).isEmpty())
            images.create(new ImageRecord(0, id, name, ImageIds.arn(io.ember.tenant.Tenant.ADMIN_ID, name), "CREATING", null, null, now, null, null, "f", "000000000000"),
                    versionRecord(id, version, buildState), new ImageBuildRecord(0, buildId, id, version, "PENDING", null, now, null,
                            null, null, null, null, null));
        else images.addVersion(versionRecord(id, version, buildState), new ImageBuildRecord(0, buildId, id, version, "PENDING", null,
                now, null, null, null, null, null, null), "UPDATING", now);
    }

    private static ImageVersionRecord versionRecord(String id, int version, String state) {
        return new ImageVersionRecord(id, version, "PENDING", "ACTIVE", null,
                "{\"baseImageArn\":\"busybox\",\"codeArtifact\":{\"uri\":\"file:///x.zip\"}}", 1, 128, "{}", Instant.now(), null, null, "f", "aws", null);
    }

    @Test
    void aBuildCutShortByARestartFailsItsVmmIsKilledAndItsLeftoversRemoved() throws Exception {
        record("img-000000000000000000000001", "cut", 1, "bld-1", "PENDING");
        images.started("bld-1", Instant.now());
        Path versionDir = dir.resolve("data/images/img-000000000000000000000001/1");
        Files.createDirectories(versionDir.resolve("bvm"));
        Files.writeString(versionDir.resolve("rootfs.ext4"), "disk");
        Files.writeString(versionDir.resolve("build.log"), "log\n");
        // Stands for the build VMM: a process whose command line names the version directory, as QEMU's does.
        Process vmm = new ProcessBuilder("sh", "-c", "sleep 300", versionDir.toString()).start();
        images.setBuildPid("bld-1", vmm.pid());
        try {
            start();
            assertThat(vmm.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            vmm.destroyForcibly();
        }
        ImageBuildRecord b = images.build("bld-1").orElseThrow();
        assertThat(b.state()).isEqualTo("FAILED");
        assertThat(b.stateReason()).isEqualTo("server restarted during the build");
        assertThat(images.image("000000000000", "cut").orElseThrow().state()).isEqualTo("CREATE_FAILED");
        assertThat(images.version("img-000000000000000000000001", 1).orElseThrow().state()).isEqualTo("FAILED");
        assertThat(versionDir.resolve("bvm")).doesNotExist();
        assertThat(versionDir.resolve("rootfs.ext4")).doesNotExist();
        assertThat(versionDir.resolve("build.log")).exists();
    }

    @Test
    void aQueuedBuildIsQueuedAgainAfterARestart() {
        record("img-000000000000000000000002", "queued", 1, "bld-2", "PENDING");
        start();
        Await.until("build ran", () -> images.build("bld-2").orElseThrow().state().equals("FAILED"));
        assertThat(images.build("bld-2").orElseThrow().stateReason()).contains("code artifact");
    }

    @Test
    void anImageThatAMicrovmRunsCannotBeDeleted() {
        record("img-000000000000000000000003", "used", 1, "bld-3", "PENDING");
        start();
        Await.until("build ended", () -> !images.build("bld-3").orElseThrow().state().equals("PENDING")
                && !images.build("bld-3").orElseThrow().state().equals("IN_PROGRESS"));
        Instant now = Instant.now();
        store.insert(new MicrovmRecord(0, "mvm-000000000000000000000001", "arn", "used", ImageIds.arn(io.ember.tenant.Tenant.ADMIN_ID, "used"), "1", "RUNNING", null, 1,
                128, null, 60, null, now, null, null, dir.toString(), null, "000000000000"),
                new EventRecord("mvm-000000000000000000000001", now, null, "RUNNING", "USER", "test"));
        assertThatThrownBy(() -> service.delete(io.ember.tenant.Tenant.ADMIN_ID, "used")).isInstanceOfSatisfying(ImageException.class,
                e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.CONFLICT));
        assertThatThrownBy(() -> service.deleteVersion(io.ember.tenant.Tenant.ADMIN_ID, "used", "1")).isInstanceOf(ImageException.class);
        store.transition(new EventRecord("mvm-000000000000000000000001", now, "RUNNING", "TERMINATED", "USER", "done"), null, now);
        service.delete(io.ember.tenant.Tenant.ADMIN_ID, "used");
        assertThat(images.image("used")).isEmpty();
    }

    @Test
    void findsListeningPortsInProcNetTcp() {
        String text = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1
                   1: 0100007F:0016 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1235 1
                  sl  local_address                         remote_address                        st
                   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000
                   junk: ZZ:ZZ 0A
                """;
        assertThat(GuestApp.listening(text)).containsExactly(8080, 80);
    }

    @Test
    void fromMustNameTheBase() throws Exception {
        Base base = new Base("arn:aws:lambda::aws:microvm-image:busybox", "busybox", "1", 1, 128, null, null, Map.of());
        ImageConfig config = new ImageConfig(Map.of(), null, null, List.of(), List.of(), List.of(), Map.of());
        BuildRun.checkFrom(new Dockerfile("busybox", 1, List.of(), config), base);
        BuildRun.checkFrom(new Dockerfile("arn:aws:lambda:local:aws:microvm-image/busybox", 1, List.of(), config), base);
        BuildRun.checkFrom(new Dockerfile("arn:aws:lambda:eu-west-1:aws:microvm-image:busybox", 1, List.of(), config), base);
        BuildRun.checkFrom(new Dockerfile("arn:aws:lambda:us-east-1:aws:microvm-image:busybox:1", 1, List.of(), config), base);
        assertThatThrownBy(() -> BuildRun.checkFrom(new Dockerfile("arn:aws:lambda:us-east-1:123456789012:microvm-image:busybox", 2,
                List.of(), config), base)).isInstanceOf(BuildFailure.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> BuildRun.checkFrom(new Dockerfile("debian", 4, List.of(), config), base))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("line 4").hasMessageContaining("FROM debian");
    }

    @Test
    void uploadsExpireWhileTheServerRuns() throws Exception {
        service = Images.start(catalog, images, dir.resolve("data"), BuildMachines.unsupported(), BuildSettings.defaults(catalog),
                java.time.Duration.ofMillis(100));
        Uploads.Upload old = service.uploads().store("123456789012", new java.io.ByteArrayInputStream(new byte[] {'P', 'K', 3, 4}));
        Uploads.Upload fresh = service.uploads().store("123456789012", new java.io.ByteArrayInputStream(new byte[] {'P', 'K', 3, 4}));
        Path oldFile = dir.resolve("data/uploads/" + old.uploadId() + ".123456789012.zip");
        Files.setLastModifiedTime(oldFile, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - Uploads.LIFETIME.plusMinutes(1).toMillis()));
        io.ember.testing.Await.until("the expired upload swept", () -> !Files.exists(oldFile));
        assertThat(service.uploads().resolve("123456789012", fresh.uri())).exists();
    }

    @Test
    void codeArtifactUrisNameTheirSchemes() throws Exception {
        Uploads uploads = new Uploads(dir.resolve("uploads"));
        Path zip = Files.write(dir.resolve("a.zip"), new byte[] {'P', 'K', 3, 4});
        String admin = "000000000000", other = "123456789012";
        assertThat(uploads.resolve(admin, zip.toUri().toString())).isEqualTo(zip);
        // A tenant reads neither the host's files nor another tenant's uploads through a URI.
        assertThatThrownBy(() -> uploads.resolve(other, zip.toUri().toString())).hasMessageContaining("only the admin");
        assertThatThrownBy(() -> uploads.resolve(admin, "https://x/y.zip")).hasMessageContaining("ember-upload://").hasMessageContaining("file:///");
        assertThatThrownBy(() -> uploads.resolve(admin, "file:///nonexistent.zip")).hasMessageContaining("not a file");
        assertThatThrownBy(() -> uploads.resolve(admin, "ember-upload://../../etc/passwd")).hasMessageContaining("no upload");
        Uploads.Upload u = uploads.store(admin, new java.io.ByteArrayInputStream(new byte[] {'P', 'K', 5, 6, 0}));
        assertThat(uploads.resolve(admin, u.uri())).exists();
        assertThatThrownBy(() -> uploads.resolve(other, u.uri())).hasMessageContaining("no upload " + u.uploadId());
        assertThatThrownBy(() -> uploads.store(admin, new java.io.ByteArrayInputStream("hello".getBytes()))).hasMessageContaining("not a zip");
        assertThat(Files.list(dir.resolve("uploads")).filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }

    @Test
    void specsAreKeptAsGiven() {
        ObjectNode echo = Images.JSON.createObjectNode().put("baseImageArn", "busybox");
        echo.putObject("codeArtifact").put("uri", "file:///x");
        assertThat(new ImageSpec(echo, "busybox", null, "file:///x", null, null, null, null, null).environment()).isEmpty();
        assertThat(Duration.ofMinutes(60)).isEqualTo(BuildSettings.defaults(catalog).buildTimeout());
    }
}
