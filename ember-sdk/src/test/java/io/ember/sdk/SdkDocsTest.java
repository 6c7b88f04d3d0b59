package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the usage example of docs/sdk.md against a stub and checks the doc quotes it verbatim. */
class SdkDocsTest {
    @TempDir Path tmp;

    // tag::usage[]
    static void usage(String endpoint, Credentials keys, Path workDir) throws IOException {
        try (EmberClient ember = EmberClient.builder()
                .endpoint(endpoint)                        // e.g. http://127.0.0.1:8080
                .credentials(keys)                         // leave out: CredentialsChain.standard() finds them
                .requestTimeout(Duration.ofSeconds(30))    // non-streaming calls only
                .build()) {
            Microvm vm = ember.runMicrovm(RunMicrovmRequest.of("busybox").withMaximumDurationInSeconds(600));
            String id = ember.waitUntilRunning(vm.microvmId(), Duration.ofMinutes(2)).microvmId();

            // Collect everything (each stream capped at 1 MiB) ...
            ExecResult r = ember.execAndWait(id, ExecRequest.shell("echo hello from $(hostname)"), 1 << 20);
            System.out.println(r.stdoutText().strip() + ", exit " + r.exitCode());

            // ... or stream output as it arrives, and exit like a shell would.
            ExecEvent.Exit exit = ember.exec(id, ExecRequest.command("ls", "-l", "/").withEnv("LC_ALL", "C"),
                    ExecHandler.forwardingTo(System.out, System.err));
            System.out.println("status " + exit.shellStatus());

            // Files stream both ways; nothing is held in memory.
            Path notes = Files.writeString(workDir.resolve("notes.txt"), "remember the milk\n");
            ember.uploadFile(id, "/workspace/notes.txt", notes, 0644);
            ember.downloadFile(id, "/workspace/notes.txt", workDir.resolve("copy.txt"));

            ember.listAllMicrovms(ListMicrovmsRequest.all())
                    .forEach(m -> System.out.println(m.microvmId() + " " + m.state()));
            try {
                ember.getMicrovm("mvm-000000000000000000000000");
            } catch (ResourceNotFoundException e) {
                System.out.println(e.errorType() + ": " + e.getMessage());
            }
            ember.terminateMicrovm(id);
        }
    }
    // end::usage[]

    // tag::images[]
    static void images(EmberClient ember, Path appZip) {
        // A zip with a Dockerfile (FROM debian, RUN, COPY, CMD, ...) and the application's files.
        CodeArtifactUpload upload = ember.uploadCodeArtifact(appZip);
        CreateMicrovmImageResponse created = ember.createMicrovmImage(
                CreateMicrovmImageRequest.of("demo", "debian", upload.codeArtifact())
                        .withEnvironmentVariables(Map.of("MODE", "production"))
                        .withResources(List.of(new Resources(512, 2))));

        // Stream the build log while it runs, then read how the build ended.
        MicrovmImageBuild build = ember.listAllMicrovmImageBuilds("demo", created.imageVersion()).findFirst().orElseThrow();
        ember.followBuildLog("demo", created.imageVersion(), build.buildId(), 0, line -> System.err.println(line));
        MicrovmImageVersion version = ember.waitForImageVersion("demo", created.imageVersion(), Duration.ofMinutes(30));
        if (version.state() != MicrovmImageVersionState.SUCCESSFUL) {
            throw new IllegalStateException("build failed: " + version.stateReason());
        }

        // Launch from the image's snapshot; suspend and resume keep memory and disk as they were.
        Microvm vm = ember.runMicrovm(RunMicrovmRequest.of("demo").withMaximumDurationInSeconds(8 * 3600)
                .withIdlePolicy(new IdlePolicy(300, 3600, true)));
        String id = ember.waitUntilRunning(vm.microvmId(), Duration.ofMinutes(1)).microvmId();
        ember.suspendMicrovm(id);
        ember.waitUntilState(id, MicrovmState.SUSPENDED, Duration.ofMinutes(2));
        ember.resumeMicrovm(id);
        ember.waitUntilRunning(id, Duration.ofMinutes(2));
    }
    // end::images[]

    // tag::tenants[]
    static void tenants(EmberClient admin, URI endpoint, String githubToken) {
        // As the admin (e.g. the [ember-admin] profile the server wrote to /var/lib/ember/credentials):
        Tenant team = admin.createTenant("search-team", new Quotas(10, 20, 16384, 50, null));
        AccessKey key = admin.createAccessKey(team.tenantId());   // the secret is in this answer only

        try (EmberClient ember = EmberClient.builder().endpoint(endpoint).credentials(key.credentials()).build()) {
            System.out.println("signed in as " + ember.whoami().name());
            ember.putSecret("github-token", githubToken, "CI token");  // write-only: no answer holds the value
            Role role = ember.putRole("ci", List.of("github-token"), null);
            Microvm vm = ember.runMicrovm(RunMicrovmRequest.of("busybox").withExecutionRoleArn(role.arn()));

            // The value is resolved on the host when the command starts; it never travels back.
            ExecResult r = ember.execAndWait(vm.microvmId(),
                    ExecRequest.shell("test -n \"$GH_TOKEN\" && echo token set").withSecretEnvironment("GH_TOKEN", "github-token"));
            System.out.println(r.stdoutText().strip());

            ember.listAllEvents(vm.microvmId()).forEach(e -> System.out.println(e.at() + " " + e.toState() + " " + e.cause()));
            UsageReport usage = ember.getUsage(UsageRequest.total().withMicrovmId(vm.microvmId()));
            System.out.println(usage.total().runningSeconds() + " s running, " + usage.total().price() + " " + usage.prices().currency());
            ember.terminateMicrovm(vm.microvmId());
        }
        admin.deleteAccessKey(team.tenantId(), key.accessKeyId());   // revoked at once
    }
    // end::tenants[]

    // tag::shell[]
    static int shell(EmberClient ember, String id) throws Exception {
        String token = ember.createMicrovmShellAuthToken(id, 5).value();
        ShellOptions options = ShellOptions.of(24, 80).withCommand("read name; echo hello $name; exit 3");
        try (Shell shell = ember.openShell(id, token, options, output -> System.out.write(output, 0, output.length))) {
            shell.send("world\r".getBytes(StandardCharsets.UTF_8)); // keystrokes: Enter is \r
            shell.resize(40, 120);                                 // the program gets SIGWINCH
            return shell.exit().get(1, TimeUnit.MINUTES).shellStatus(); // 3
        }
    }
    // end::shell[]

    @Test
    void imagesExample_runsAgainstTheWireFormat() throws Exception {
        String id = "mvm-0123456789abcdef01234567";
        String vm = MicrovmOperationsTest.VM.replace("PENDING", "RUNNING");
        String[] state = {"RUNNING"};
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.json("POST", "/ember/v1/uploads", 201, "{\"uploadId\":\"upl-1\",\"uri\":\"ember-upload://upl-1\",\"sizeInBytes\":4}")
                    .capture("POST", "/2025-09-09/microvm-images", 201, ImageFixtures.started("1"))
                    .json("GET", "/2025-09-09/microvm-images/demo/versions/1/builds", 200,
                            "{\"items\":[" + ImageFixtures.build("1", "bld-1", "IN_PROGRESS") + "]}")
                    .json("GET", "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log", 200, "Step 1/1 : FROM debian\n")
                    .json("GET", "/2025-09-09/microvm-images/demo/versions/1/builds/bld-1", 200,
                            ImageFixtures.build("1", "bld-1", "SUCCESSFUL"))
                    .json("GET", "/2025-09-09/microvm-images/demo/versions/1", 200, ImageFixtures.version("1", "SUCCESSFUL", null))
                    .capture("POST", "/2025-09-09/microvms", 200, MicrovmOperationsTest.VM)
                    .on("GET", "/2025-09-09/microvms/" + id, ex -> Stub.send(ex, 200, "application/json", vm.replace("RUNNING", state[0])))
                    .on("POST", "/2025-09-09/microvms/" + id + "/suspend", ex -> {
                        state[0] = "SUSPENDED";
                        Stub.send(ex, 200, "application/json", "{}");
                    })
                    .on("POST", "/2025-09-09/microvms/" + id + "/resume", ex -> {
                        state[0] = "RUNNING";
                        Stub.send(ex, 200, "application/json", "{}");
                    });

            images(ember, Files.write(tmp.resolve("app.zip"), new byte[] {'P', 'K', 3, 4}));

            assertThat(stub.bodyOf("POST", "/2025-09-09/microvm-images")).contains("\"codeArtifact\":{\"uri\":\"ember-upload://upl-1\"}");
            assertThat(stub.bodyOf("POST", "/2025-09-09/microvms")).contains("\"idlePolicy\":{\"maxIdleDurationSeconds\":300");
            assertThat(stub.seen).extracting(Stub.Seen::rawPath).contains("/2025-09-09/microvms/" + id + "/suspend",
                    "/2025-09-09/microvms/" + id + "/resume");
            assertThat(state[0]).isEqualTo("RUNNING");
        }
    }

    @Test
    void usageExample_runsAgainstTheWireFormat() throws Exception {
        String vm = MicrovmOperationsTest.VM.replace("PENDING", "RUNNING");
        String id = "mvm-0123456789abcdef01234567";
        byte[][] uploaded = new byte[1][];
        try (Stub stub = new Stub()) {
            stub.json("POST", "/2025-09-09/microvms", 200, MicrovmOperationsTest.VM)
                    .json("GET", "/2025-09-09/microvms/" + id, 200, vm)
                    .json("GET", "/2025-09-09/microvms", 200, "{\"items\":[" + vm + "]}")
                    .json("DELETE", "/2025-09-09/microvms/" + id, 200, "{}")
                    .on("GET", "/2025-09-09/microvms/mvm-000000000000000000000000",
                            ex -> Stub.error(ex, 404, "ResourceNotFoundException", "no such microVM"))
                    .on("POST", "/ember/v1/microvms/" + id + "/exec", ex -> {
                        OutputStream out = Stub.startStream(ex);
                        Stub.line(out, "{\"type\":\"stdout\",\"data\":\"" + Stub.b64("hello from vm\n") + "\"}");
                        Stub.line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
                    })
                    .on("PUT", "/ember/v1/microvms/" + id + "/files", ex -> {
                        uploaded[0] = Stub.body(ex);
                        Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/notes.txt\",\"size\":18}");
                    })
                    .on("GET", "/ember/v1/microvms/" + id + "/files", ex -> {
                        ex.sendResponseHeaders(200, uploaded[0].length);
                        ex.getResponseBody().write(uploaded[0]);
                    });

            usage(stub.url(), Stub.CREDENTIALS, tmp);

            assertThat(Files.readString(tmp.resolve("copy.txt"))).isEqualTo("remember the milk\n");
            assertThat(stub.last().method()).isEqualTo("DELETE");
        }
    }

    @Test
    void tenantsExample_runsAgainstTheWireFormat() throws Exception {
        String id = "mvm-0123456789abcdef01234567";
        try (Stub stub = new Stub(); EmberClient admin = stub.client()) {
            stub.capture("POST", "/ember/v1/tenants", 200, "{\"tenantId\":\"123456789012\",\"name\":\"search-team\","
                            + "\"createdAt\":1764417600,\"quotas\":{\"maxRunningMicrovms\":10}}")
                    .json("POST", "/ember/v1/tenants/123456789012/access-keys", 200, "{\"accessKeyId\":\"" + Stub.CREDENTIALS.accessKeyId()
                            + "\",\"secretAccessKey\":\"" + Stub.CREDENTIALS.secretAccessKey() + "\",\"status\":\"ACTIVE\",\"createdAt\":1764417600}")
                    .json("GET", "/ember/v1/whoami", 200, "{\"tenantId\":\"123456789012\",\"name\":\"search-team\",\"admin\":false}")
                    .capture("PUT", "/ember/v1/secrets/github-token", 200, "{\"name\":\"github-token\",\"arn\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token\"}")
                    .capture("PUT", "/ember/v1/roles/ci", 200, "{\"name\":\"ci\",\"arn\":\"arn:aws:iam::123456789012:role/ci\",\"secrets\":[\"github-token\"]}")
                    .capture("POST", "/2025-09-09/microvms", 200, MicrovmOperationsTest.VM)
                    .on("POST", "/ember/v1/microvms/" + id + "/exec", ex -> {
                        stub.bodies.put("exec", new String(Stub.body(ex), java.nio.charset.StandardCharsets.UTF_8));
                        OutputStream out = Stub.startStream(ex);
                        Stub.line(out, "{\"type\":\"stdout\",\"data\":\"" + Stub.b64("token set\n") + "\"}");
                        Stub.line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
                    })
                    .on("GET", "/ember/v1/events", ex -> Stub.send(ex, 200, "application/json", "1".equals(Stub.query(ex, "nextToken"))
                            ? "{\"events\":[{\"at\":1764417601.5,\"microvmId\":\"" + id + "\",\"type\":\"STATE\",\"toState\":\"RUNNING\",\"cause\":\"BOOT\"}]}"
                            : "{\"events\":[{\"at\":1764417600,\"microvmId\":\"" + id + "\",\"type\":\"STATE\",\"toState\":\"PENDING\",\"cause\":\"USER\"}],\"nextToken\":\"1\"}"))
                    .json("GET", "/ember/v1/usage", 200, "{\"from\":\"1970-01-01T00:00:00Z\",\"to\":\"2026-11-29T12:00:00Z\",\"granularity\":\"total\","
                            + "\"prices\":{\"currency\":\"USD\",\"vcpuSecond\":0.0000112444,\"memoryGibSecond\":0.0000012347,\"storageGibSecond\":0.0000000386},"
                            + "\"microvms\":[],\"periods\":[],\"total\":{\"runningSeconds\":12,\"vcpuSeconds\":12,\"memoryGibSeconds\":1.5,"
                            + "\"suspendedSeconds\":0,\"storageGibSeconds\":0,\"price\":0.0001367}}")
                    .json("DELETE", "/2025-09-09/microvms/" + id, 200, "{}")
                    .json("DELETE", "/ember/v1/tenants/123456789012/access-keys/" + Stub.CREDENTIALS.accessKeyId(), 200, "{}");

            tenants(admin, URI.create(stub.url()), "ghp_example");

            assertThat(stub.bodyOf("POST", "/ember/v1/tenants")).isEqualTo("{\"name\":\"search-team\",\"quotas\":{\"maxRunningMicrovms\":10,"
                    + "\"maxRunningVcpus\":20,\"maxRunningMemoryInMiB\":16384,\"maxSuspendedMicrovms\":50}}");
            assertThat(stub.bodyOf("PUT", "/ember/v1/roles/ci")).isEqualTo("{\"secrets\":[\"github-token\"]}");
            assertThat(stub.bodyOf("POST", "/2025-09-09/microvms")).contains("\"executionRoleArn\":\"arn:aws:iam::123456789012:role/ci\"");
            assertThat(stub.bodyOf("PUT", "/ember/v1/secrets/github-token")).isEqualTo("{\"value\":\"ghp_example\",\"description\":\"CI token\"}");
            assertThat(stub.bodies.get("exec")).contains("\"secretEnvironment\":{\"GH_TOKEN\":\"github-token\"}");
            assertThat(stub.seen.stream().filter(x -> x.rawPath().equals("/ember/v1/events")).map(Stub.Seen::rawQuery))
                    .containsExactly("microvmId=" + id, "microvmId=" + id + "&nextToken=1");
            assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsOnlyNulls();
            assertThat(stub.last().method()).isEqualTo("DELETE");
        }
    }

    @Test
    void docsQuoteTheExamplesVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/ember/sdk/SdkDocsTest.java"));
        String doc = Files.readString(Path.of("../docs/sdk.md"));
        for (String tag : new String[] {"usage", "images", "shell", "tenants"}) {
            String start = "// tag::" + tag + "[]\n";
            String snippet = source.substring(source.indexOf(start) + start.length(), source.indexOf("    // end::" + tag + "[]"));
            String dedented = snippet.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                    .collect(Collectors.joining("\n", "", "\n"));
            assertThat(doc).as(tag).contains(dedented);
        }
    }
}
