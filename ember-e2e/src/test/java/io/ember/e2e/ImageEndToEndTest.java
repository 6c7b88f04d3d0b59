package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Images built from a Dockerfile and a code zip, and microVMs launched from their snapshot, through
 * the SDK and the CLI with real QEMU guests. One image is built once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Warms up for 2 s (what every launch from the snapshot skips), then serves its memory over HTTP. */
    static final String APP = """
            import http.server, json, os, time
            started = time.time()
            time.sleep(2)
            cache = {"token": os.urandom(8).hex(), "started": started, "pid": os.getpid()}
            count = 0
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    global count
                    count += 1
                    body = json.dumps(dict(cache, count=count)).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", 8080), H).serve_forever()
            """;
    static final String DOCKERFILE = """
            FROM debian
            ARG GREETING=hello
            ENV GREETING=${GREETING} APP_HOME=/app
            WORKDIR /app
            COPY app.py /app/app.py
            # as systemd-firstboot would: every clone must get its own
            RUN echo 0123456789abcdef0123456789abcdef > /etc/machine-id && python3 -c 'import http.server'
            EXPOSE 8080
            CMD ["python3", "/app/app.py"]
            """;
    static final String ASK = "python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:8080/\").read().decode())'";

    private EmberTestServer server;
    private Path tmp;

    @BeforeAll
    void start() throws Exception {
        server = EmberTestServer.start();
        tmp = Files.createTempDirectory("ember-image-e2e");
        EmberClient client = server.client();
        var upload = client.uploadCodeArtifact(CodeZip.dockerfile(DOCKERFILE).file("app.py", APP).write(tmp));
        var created = client.createMicrovmImage(CreateMicrovmImageRequest.of("warm-app", "debian", upload.codeArtifact())
                .withEnvironmentVariables(Map.of("FROM_API", "yes")));
        MicrovmImageVersion v = client.waitForImageVersion("warm-app", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        EmberTestServer.deleteTree(tmp);
    }

    @Test
    void shouldLaunchClonesThatAnswerFromTheWarmApplicationAndDifferInEntropyAndIdentity() throws Exception {
        Instant runCalled = Instant.now();
        try (TestVm a = TestVm.run(server, "warm-app"); TestVm b = TestVm.run(server, "warm-app")) {
            JsonNode fromA = JSON.readTree(a.ok(ASK));
            JsonNode fromB = JSON.readTree(b.ok(ASK));
            assertThat(fromA.path("started").asDouble()).as("the application started at build time, before the launch")
                    .isLessThan(runCalled.toEpochMilli() / 1000.0);
            assertThat(fromA.path("pid").asInt()).as("the same process, from the snapshot").isEqualTo(fromB.path("pid").asInt());
            assertThat(fromA.path("token").asText()).as("memory from before the snapshot is shared").isEqualTo(fromB.path("token").asText());
            assertThat(fromA.path("count").asInt()).as("each clone has its own memory from the launch on").isEqualTo(1);
            assertThat(fromB.path("count").asInt()).isEqualTo(1);

            for (String probe : new String[] {"head -c 16 /dev/urandom | od -An -tx1", "cat /proc/sys/kernel/random/boot_id",
                    "cat /proc/sys/kernel/random/uuid", "python3 -c 'import uuid; print(uuid.uuid4())'", "cat /etc/machine-id",
                    "hostname"}) {
                assertThat(a.ok(probe)).as(probe).isNotEqualTo(b.ok(probe));
            }
            assertThat(a.ok("cat /etc/machine-id").trim()).matches("[0-9a-f]{32}").isNotEqualTo("0123456789abcdef0123456789abcdef");
            assertThat(a.ok("hostname").trim()).isEqualTo(a.id);
            assertThat(a.ok("echo $GREETING $APP_HOME $FROM_API; pwd")).as("the image's environment reaches exec")
                    .isEqualTo("hello /app yes\n/workspace\n");
            // The guest's clock lies between the host's before and after the call (one second of slack each way): a loaded
            // host makes the call slow, not the clock wrong, and a clone that kept the snapshot's time is hours off.
            double before = Instant.now().toEpochMilli() / 1000.0;
            double guest = Double.parseDouble(a.ok("date +%s.%N").trim());
            double after = Instant.now().toEpochMilli() / 1000.0;
            assertThat(guest).as("clock of a clone").isBetween(before - 1, after + 1);
            assertThat(Rest.events(server, a.id)).containsExactly("PENDING/USER", "RUNNING/BOOT");
        }
    }

    @Test
    void shouldKeepTheApplicationsMemoryAcrossSuspendAndResumeOfAClone() throws Exception {
        try (TestVm vm = TestVm.run(server, "warm-app")) {
            JsonNode first = JSON.readTree(vm.ok(ASK));
            server.client().suspendMicrovm(vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            JsonNode second = JSON.readTree(vm.ok(ASK)); // wakes it
            assertThat(second.path("pid").asInt()).isEqualTo(first.path("pid").asInt());
            assertThat(second.path("count").asInt()).isEqualTo(first.path("count").asInt() + 1);
        }
    }

    @Test
    void shouldBootTheImagesDiskColdWhenAsked() throws Exception {
        var answer = Rest.postJson(server, "/2025-09-09/microvms", "{\"imageIdentifier\":\"warm-app\"}", Map.of("X-Ember-Launch", "cold"));
        assertThat(answer.status()).isEqualTo(200);
        String id = answer.body().path("microvmId").asText();
        try {
            server.client().waitUntilRunning(id, Duration.ofMinutes(3));
            var r = server.client().execAndWait(id, io.ember.sdk.ExecRequest.shell("cat /app/app.py >/dev/null && " + ASK));
            assertThat(r.exitCode()).as("a cold boot has the image's files but does not start its application").isNotZero();
            assertThat(Rest.events(server, id).getFirst()).isEqualTo("PENDING/USER");
        } finally {
            server.client().terminateMicrovm(id);
        }
    }

    @Test
    void shouldBuildThroughTheCliWithProgressAndFailWithTheDockerfileLine() throws Exception {
        Path ok = CodeZip.dockerfile("FROM busybox\nCOPY hello.txt /srv/\nRUN cat /srv/hello.txt\nCMD [\"sleep\", \"3600\"]\n")
                .file("hello.txt", "hi from the zip\n").write(tmp);
        var built = server.cli("create-microvm-image", "--name", "cli-ok", "--base-image-arn", "busybox",
                "--code-artifact", ok.toString());
        assertThat(built.exitCode()).as(built.stderr()).isZero();
        assertThat(built.stderr()).contains("RUN cat /srv/hello.txt").contains("hi from the zip");
        assertThat(JSON.readTree(built.stdout()).path("state").asText()).isEqualTo("CREATED");
        var got = server.cli("get-microvm-image", "--image-identifier", "cli-ok");
        assertThat(JSON.readTree(got.stdout()).path("latestActiveImageVersion").asText()).isEqualTo("1.0");

        record Bad(String name, String dockerfile, String reason) {}
        for (Bad bad : new Bad[] {
                new Bad("bad-instruction", "FROM busybox\nRUN true\nHEALTHCHECK CMD true\n", "line 3"),
                new Bad("bad-run", "FROM busybox\nRUN echo about to fail; exit 3\n", "line 2"),
                new Bad("bad-copy", "FROM busybox\nCOPY missing.txt /srv/\n", "missing.txt")}) {
            Path zip = CodeZip.dockerfile(bad.dockerfile()).write(tmp);
            var r = server.cli("create-microvm-image", "--name", bad.name(), "--base-image-arn", "busybox",
                    "--code-artifact", zip.toString());
            assertThat(r.exitCode()).as(bad.name() + ": " + r.stderr()).isEqualTo(1);
            assertThat(r.stderr()).contains("Build failed").contains(bad.reason());
            var image = JSON.readTree(server.cli("get-microvm-image", "--image-identifier", bad.name()).stdout());
            assertThat(image.path("state").asText()).isEqualTo("CREATE_FAILED");
            var version = server.client().getMicrovmImageVersion(bad.name(), "1");
            assertThat(version.state()).isEqualTo(MicrovmImageVersionState.FAILED);
            assertThat(version.stateReason()).contains(bad.reason());
        }
    }

}
