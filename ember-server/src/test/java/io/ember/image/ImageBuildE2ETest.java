package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.agent.AgentClient;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.vmm.Accelerator;
import io.ember.vmm.QemuConfig;
import io.ember.vmm.QemuDriver;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real builds: QEMU (TCG here), the guest agent and the assets of /var/cache/ember (or $EMBER_ASSETS_DIR). The tests share
 * one server and run in order: later ones layer on and update the image the first one builds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageBuildE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGES = "/2025-09-09/microvm-images";
    private static Path data;
    private static EmberServer server;
    private static io.ember.testing.SigningHttpClient http;

    @BeforeAll
    static void start() throws Exception {
        Path assets = Path.of(System.getenv().getOrDefault("EMBER_ASSETS_DIR", "/var/cache/ember"));
        data = Files.createTempDirectory(Path.of("/tmp"), "ember-img-");
        server = EmberServer.start(new ServerConfig("127.0.0.1", 0, data, assets,
                Accelerator.valueOf(System.getenv().getOrDefault("EMBER_ACCEL", "auto").toUpperCase()), "qemu-system-x86_64", 4));
        http = new io.ember.testing.SigningHttpClient(HttpClient.newHttpClient(), io.ember.testing.SigningHttpClient.Key.admin(data));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (data != null && Files.exists(data)) {
            try (Stream<Path> walk = Files.walk(data)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void buildsAnImageWhoseApplicationListensAndSnapshotsIt() throws Exception {
        byte[] zip = zip(Map.of("Dockerfile", """
                FROM busybox
                ENV GREETING=hello
                COPY app.sh /app/app.sh
                RUN echo built-by-run > /built && mkdir -p /www
                WORKDIR /app
                EXPOSE 8080
                CMD ["/bin/sh", "/app/app.sh"]
                """, "app.sh", """
                echo "$GREETING $EXTRA $(cat /built) pid $$" > /www/index.html
                echo warm > /tmp/warm-state
                exec busybox httpd -f -p 8080 -h /www
                """));
        JsonNode upload = send("POST", "/ember/v1/uploads", zip, "application/zip", 201);
        assertThat(upload.path("uri").asText()).startsWith("ember-upload://upl-");
        assertThat(upload.path("sizeInBytes").asLong()).isEqualTo(zip.length);

        JsonNode created = send("POST", IMAGES, body("name", "web", "baseImageArn", "busybox", "codeArtifact", Map.of("uri",
                upload.path("uri").asText()), "environmentVariables", Map.of("EXTRA", "extra"), "clientToken", "tok-1"), 201);
        assertThat(created.path("state").asText()).isEqualTo("CREATING");
        assertThat(created.path("imageArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:microvm-image:web");
        assertThat(created.path("imageVersion").asText()).isEqualTo("1.0");
        // Same token, same request: the same image, no second build.
        JsonNode again = send("POST", IMAGES, body("name", "web", "baseImageArn", "busybox", "codeArtifact", Map.of("uri",
                upload.path("uri").asText()), "environmentVariables", Map.of("EXTRA", "extra"), "clientToken", "tok-1"), 201);
        assertThat(again.path("imageArn").asText()).isEqualTo(created.path("imageArn").asText());

        JsonNode image = awaitImage("web", "CREATED");
        assertThat(image.path("latestActiveImageVersion").asText()).isEqualTo("1.0");
        JsonNode version = send("GET", IMAGES + "/web/versions/1", null, null, 200);
        assertThat(version.path("state").asText()).isEqualTo("SUCCESSFUL");
        assertThat(version.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(version.path("baseImageVersion").asText()).isEqualTo("1.0");
        JsonNode builds = send("GET", IMAGES + "/web/versions/1/builds", null, null, 200);
        String buildId = builds.path("items").get(0).path("buildId").asText();
        JsonNode build = send("GET", IMAGES + "/web/versions/1/builds/" + buildId, null, null, 200);
        assertThat(build.path("buildState").asText()).isEqualTo("SUCCESSFUL");
        assertThat(build.path("architecture").asText()).isEqualTo("X86_64");
        assertThat(build.path("snapshotBuild").path("memorySnapshotSizeInBytes").asLong()).isPositive();
        assertThat(build.path("snapshotBuild").path("diskSnapshotSizeInBytes").asLong()).isPositive();
        String log = text("/ember/v1/microvm-images/web/versions/1/builds/" + buildId + "/log?follow=true");
        assertThat(log).contains("BUILD SUCCESSFUL").contains("application ready");
        System.out.println("--- build log of web v1 ---\n" + log);

        LaunchSource ls = server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web", null).orElseThrow();
        assertThat(ls.imageVersion()).isEqualTo("1"); // Ember numbers versions 1, 2, ... inside; answers say 1.0
        assertThat(ls.environment()).containsEntry("GREETING", "hello").containsEntry("EXTRA", "extra");
        Snapshot snap = Snapshot.load(ls.snapshot());
        assertThat(snap.memoryInFile()).isTrue();
        assertThat(Files.isRegularFile(ls.rootfs())).isTrue();
        // A clone of the snapshot answers from the application the build started, at once, without booting.
        assertThat(cloneAndFetch(ls, snap)).contains("hello extra built-by-run");
    }

    @Test
    @Order(2)
    void layersOnABuiltImage() throws Exception {
        Path zip = data.resolve("layer.zip");
        Files.write(zip, zip(Map.of("Dockerfile", """
                FROM web
                ENV GREETING=layered
                RUN test -f /built && test -f /app/app.sh && echo layered > /layered
                """)));
        send("POST", IMAGES, body("name", "web-layer", "baseImageArn", "arn:aws:lambda:eu-west-1:000000000000:microvm-image:web",
                "codeArtifact", Map.of("uri", zip.toUri().toString()), "resources", List.of(Map.of("minimumMemoryInMiB", 512))), 201);
        JsonNode image = awaitImage("web-layer", "CREATED");
        assertThat(image.path("latestActiveImageVersion").asText()).isEqualTo("1.0");
        JsonNode v = send("GET", IMAGES + "/web-layer/versions/1", null, null, 200);
        assertThat(v.path("resources").get(0).path("minimumMemoryInMiB").asInt()).isEqualTo(512);
        LaunchSource ls = server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web-layer", "1").orElseThrow();
        // size 512: the guest gets its peak, 2048 MiB and 1 vCPU; its baseline is what is billed
        assertThat(ls.size()).isEqualTo(SizeClass.MIB_512);
        assertThat(ls.memoryMib()).isEqualTo(2048);
        assertThat(ls.vcpus()).isEqualTo(1);
        // The configuration is inherited from the base image: its CMD runs in the snapshot, with the new ENV.
        assertThat(ls.environment()).containsEntry("GREETING", "layered");
        String buildId = send("GET", IMAGES + "/web-layer/versions/1/builds", null, null, 200).path("items").get(0).path("buildId").asText();
        assertThat(text("/ember/v1/microvm-images/web-layer/versions/1/builds/" + buildId + "/log")).contains("/app/app.sh").contains("8080");
        assertThat(cloneAndFetch(ls, Snapshot.load(ls.snapshot()))).contains("layered extra built-by-run");
    }

    @Test
    @Order(3)
    void failuresNameTheLine() throws Exception {
        Path bad = data.resolve("bad.zip");
        Files.write(bad, zip(Map.of("Dockerfile", "FROM busybox\nRUN true\nHEALTHCHECK CMD true\n")));
        send("POST", IMAGES, body("name", "unsupported", "baseImageArn", "busybox", "codeArtifact", Map.of("uri", bad.toUri().toString())), 201);
        JsonNode image = awaitImage("unsupported", "CREATE_FAILED");
        assertThat(image.path("stateReason").asText()).contains("line 3").contains("HEALTHCHECK");
        assertThat(image.path("latestFailedImageVersion").asText()).isEqualTo("1.0");

        Path missing = data.resolve("missing.zip");
        Files.write(missing, zip(Map.of("Dockerfile", "FROM busybox\nCOPY nothere.txt /x\n")));
        send("POST", IMAGES, body("name", "missing", "baseImageArn", "busybox", "codeArtifact", Map.of("uri", missing.toUri().toString())), 201);
        JsonNode v = awaitVersion("missing", "1", "FAILED");
        assertThat(v.path("stateReason").asText()).contains("line 2").contains("nothere.txt");

        Path wrongFrom = data.resolve("from.zip");
        Files.write(wrongFrom, zip(Map.of("Dockerfile", "# base\nFROM debian\n")));
        send("POST", IMAGES, body("name", "wrong-from", "baseImageArn", "busybox", "codeArtifact", Map.of("uri", wrongFrom.toUri().toString())), 201);
        assertThat(awaitImage("wrong-from", "CREATE_FAILED").path("stateReason").asText()).contains("line 2").contains("FROM debian");
    }

    @Test
    @Order(4)
    void updateBuildsVersionTwoAndAFailingRunFailsIt() throws Exception {
        Path zip = data.resolve("v2.zip");
        Files.write(zip, zip(Map.of("Dockerfile", "FROM busybox\nRUN echo about to fail\nRUN exit 3\n")));
        JsonNode up = send("PUT", IMAGES + "/web", body("baseImageArn", "busybox", "codeArtifact", Map.of("uri", zip.toUri().toString())), 200);
        assertThat(up.path("imageVersion").asText()).isEqualTo("2.0");
        assertThat(up.path("state").asText()).isEqualTo("UPDATING");
        JsonNode image = awaitImage("web", "UPDATE_FAILED");
        assertThat(image.path("stateReason").asText()).contains("line 3");
        assertThat(image.path("latestActiveImageVersion").asText()).isEqualTo("1.0");
        assertThat(image.path("latestFailedImageVersion").asText()).isEqualTo("2.0");
        assertThatThrownBy(() -> server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web", "2"))
                .isInstanceOfSatisfying(ImageUnavailableException.class, e -> assertThat(e.notFound()).isFalse());
        assertThat(Files.exists(data.resolve("images"))).isTrue();
    }

    @Test
    @Order(5)
    void inactiveVersionsDoNotLaunchAndDeleteRemovesFiles() throws Exception {
        JsonNode v = send("PATCH", IMAGES + "/web-layer/versions/1", body("status", "INACTIVE"), 200);
        assertThat(v.path("status").asText()).isEqualTo("INACTIVE");
        assertThatThrownBy(() -> server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web-layer", "1"))
                .isInstanceOfSatisfying(ImageUnavailableException.class, e -> assertThat(e.notFound()).isFalse());
        assertThatThrownBy(() -> server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web-layer", null)).isInstanceOf(ImageUnavailableException.class);
        assertThatThrownBy(() -> server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web-layer", "7"))
                .isInstanceOfSatisfying(ImageUnavailableException.class, e -> assertThat(e.notFound()).isTrue());

        String dir = server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web", "1").orElseThrow().snapshot().getParent().getParent().toString();
        send("DELETE", IMAGES + "/web/versions/2", null, null, 200);
        send("DELETE", IMAGES + "/web", null, null, 200);
        assertThat(Files.exists(Path.of(dir))).isFalse();
        JsonNode gone = send("GET", IMAGES + "/web", null, null, 404);
        assertThat(gone.path("__type").asText()).isEqualTo("ResourceNotFoundException");
        // The layered image does not depend on its parent's files: its disk was flattened.
        send("PATCH", IMAGES + "/web-layer/versions/1", body("status", "ACTIVE"), 200);
        LaunchSource layer = server.imageSource().resolve(io.ember.tenant.Tenant.ADMIN_ID, "web-layer", null).orElseThrow();
        assertThat(Snapshot.load(layer.snapshot()).memoryMib()).isEqualTo(2048);
        send("DELETE", IMAGES + "/web-layer", null, null, 200);
        assertThat(Files.exists(layer.rootfs())).isFalse();
    }

    @Test
    @Order(6)
    void aServerThatStopsMidBuildFailsTheBuildAndKillsItsVm() throws Exception {
        Path zip = data.resolve("slow.zip");
        Files.write(zip, zip(Map.of("Dockerfile", "FROM busybox\nRUN sleep 300\n")));
        send("POST", IMAGES, body("name", "slow", "baseImageArn", "busybox", "codeArtifact", Map.of("uri", zip.toUri().toString())), 201);
        String buildId = send("GET", IMAGES + "/slow/versions/1/builds", null, null, 200).path("items").get(0).path("buildId").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!text("/ember/v1/microvm-images/slow/versions/1/builds/" + buildId + "/log").contains("RUN sleep 300")) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("the build never reached its RUN step");
            Thread.sleep(200);
        }
        List<ProcessHandle> vmms = ProcessHandle.allProcesses() // QEMU itself, not its jailer (whose arguments name it too)
                .filter(p -> p.info().command().orElse("").endsWith("qemu-system-x86_64"))
                .filter(p -> p.info().commandLine().orElse("").contains(data.resolve("images").toString())).toList();
        assertThat(vmms).hasSize(1);
        server.close();
        assertThat(vmms.getFirst().isAlive()).isFalse();
        server = EmberServer.start(new ServerConfig("127.0.0.1", 0, data, Path.of(System.getenv().getOrDefault("EMBER_ASSETS_DIR",
                "/var/cache/ember")), Accelerator.valueOf(System.getenv().getOrDefault("EMBER_ACCEL", "auto").toUpperCase()),
                "qemu-system-x86_64", 4));
        JsonNode build = send("GET", IMAGES + "/slow/versions/1/builds/" + buildId, null, null, 200);
        assertThat(build.path("buildState").asText()).isEqualTo("FAILED");
        assertThat(build.path("stateReason").asText()).isEqualTo("server stopped during the build");
        assertThat(send("GET", IMAGES + "/slow", null, null, 200).path("state").asText()).isEqualTo("CREATE_FAILED");
    }

    /** Restores a private clone of the snapshot, fetches the application's page in the guest, stops the clone. */
    private static String cloneAndFetch(LaunchSource ls, Snapshot snap) throws Exception {
        QemuDriver driver = new QemuDriver(QemuConfig.of("qemu-system-x86_64", Accelerator.AUTO).withFileBackedMemory(true));
        Path work = Files.createTempDirectory(data, "clone");
        VmSpec spec = new VmSpec("clone", work, Path.of("/var/cache/ember/kernel/vmlinux"), Path.of("/var/cache/ember/initramfs.cpio.gz"),
                ls.rootfs(), ls.vcpus(), ls.memoryMib(), "clone", List.of());
        long t0 = System.nanoTime();
        Vm vm = driver.restorePaused(spec, snap, true);
        try (GuestAgent agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(10))) {
            driver.resume(vm);
            agent.hello(Duration.ofSeconds(20));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ExecStream s = agent.exec(new ExecRequest(List.of("/bin/sh", "-c", "busybox wget -q -O - http://127.0.0.1:8080/ && cat /tmp/warm-state"),
                    Map.of("PATH", "/bin:/sbin:/usr/bin"), "/", Duration.ofSeconds(20), false))) {
                while (true) {
                    ExecEvent e = s.next(Duration.ofSeconds(30));
                    if (e instanceof ExecEvent.Stdout o) out.write(o.data());
                    if (e instanceof ExecEvent.Exit || e == null) break;
                }
            }
            System.out.printf("clone: restore to first answer %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            vm.terminate(Duration.ofSeconds(2));
            QemuDriver.deleteWorkDir(work);
        }
    }

    private static JsonNode awaitImage(String name, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            JsonNode image = send("GET", IMAGES + "/" + name, null, null, 200);
            if (image.path("state").asText().equals(state)) return image;
            if (System.nanoTime() - deadline > 0 || image.path("state").asText().endsWith("FAILED") || image.path("state").asText().equals("CREATED"))
                throw new AssertionError("image " + name + " is " + image + ", expected " + state);
            Thread.sleep(300);
        }
    }

    private static JsonNode awaitVersion(String name, String version, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            JsonNode v = send("GET", IMAGES + "/" + name + "/versions/" + version, null, null, 200);
            if (v.path("state").asText().equals(state)) return v;
            if (System.nanoTime() - deadline > 0) throw new AssertionError(name + " v" + version + " is " + v);
            Thread.sleep(300);
        }
    }

    /** A JSON body of {@code kv}; an image's version fields get the build role AWS requires. */
    private static byte[] body(Object... kv) throws Exception {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        if (m.containsKey("baseImageArn")) m.putIfAbsent("buildRoleArn", "arn:aws:iam::123456789012:role/build");
        return JSON.writeValueAsBytes(m);
    }

    private static JsonNode send(String method, String path, byte[] body, String type, int expected) throws Exception {
        return send(method, path, body == null ? null : body, type == null ? "application/json" : type, expected, true);
    }

    private static JsonNode send(String method, String path, byte[] body, int expected) throws Exception {
        return send(method, path, body, "application/json", expected, true);
    }

    private static JsonNode send(String method, String path, byte[] body, String type, int expected, boolean json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint() + path)).header("Content-Type", type)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    private static String text(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static byte[] zip(Map<String, String> files) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
