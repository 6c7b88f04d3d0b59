package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.HookState;
import io.ember.sdk.Hooks;
import io.ember.sdk.MicrovmHooks;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Lifecycle hooks with real guests (docs/hooks.md), on examples/session-app: its hooks at AWS's paths
 * (/aws/lambda-microvms/runtime/v1/run, suspend, resume, terminate, and the build's ready and validate) record each call
 * with its body, and GET /state shows them. Two images are built once for the class: every hook ENABLED (through the
 * CLI's --hooks) with a ready hook that answers 503 for its first 2 s, and one whose run hook sleeps past its timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HooksEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HOOKS = """
            {"port":8080,
             "microvmHooks":{"run":"ENABLED","runTimeoutInSeconds":10,"suspend":"ENABLED","suspendTimeoutInSeconds":3,
                             "resume":"ENABLED","resumeTimeoutInSeconds":10,"terminate":"ENABLED","terminateTimeoutInSeconds":10},
             "microvmImageHooks":{"ready":"ENABLED","readyTimeoutInSeconds":30,"validate":"ENABLED","validateTimeoutInSeconds":10}}""";
    static final String STATE = "python3 -c 'import urllib.request;print(urllib.request.urlopen(\"http://127.0.0.1:8080/state\").read().decode())'";
    static final String COUNT = "python3 -c 'import urllib.request;print(urllib.request.urlopen(urllib.request.Request("
            + "\"http://127.0.0.1:8080/counter\",data=b\"\",method=\"POST\")).read().decode())'";
    /** SIGSTOPs the application: it still accepts connections (the kernel does) but answers nothing. */
    static final String FREEZE_APP = "for p in /proc/[0-9]*; do [ \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" = "
            + "\"python3 /app/app.py \" ] && kill -STOP ${p##*/}; done; true";

    private EmberTestServer server;
    private Path tmp;

    @BeforeAll
    void build() throws Exception {
        server = EmberTestServer.start();
        tmp = Files.createTempDirectory("ember-hooks-e2e");
        Path app = Path.of("../examples/session-app");
        Path zip = CodeZip.dockerfile(Files.readString(app.resolve("Dockerfile")))
                .file("app.py", Files.readString(app.resolve("app.py"))).write(tmp);
        var built = server.cli("create-microvm-image", "--name", "session", "--base-image-arn", "debian",
                "--code-artifact", zip.toString(), "--hooks", HOOKS, "--environment-variables", "WARM_UP_SECONDS=2");
        assertThat(built.exitCode()).as(built.stderr()).isZero();
        String log = built.stderr();
        assertThat(log).contains("ready hook: POST /aws/lambda-microvms/runtime/v1/ready on port 8080")
                .containsPattern("ready hook answered 200 OK in \\d+ ms \\(attempt ([2-9]|\\d\\d+), ")
                .contains("validate hook: POST /aws/lambda-microvms/runtime/v1/validate on port 8080")
                .contains("validate hook answered 200 OK");
        // AWS validates the application running from the snapshot: the test microVM starts after the snapshot is saved
        assertThat(log.indexOf("validation microVM up from the snapshot")).isGreaterThan(log.indexOf("snapshot saved in"))
                .isLessThan(log.indexOf("validate hook answered 200 OK"));

        var upload = server.client().uploadCodeArtifact(zip);
        var slow = server.client().createMicrovmImage(CreateMicrovmImageRequest.of("slow-run", "debian", upload.codeArtifact())
                .withEnvironmentVariables(Map.of("HOOK_DELAY_RUN", "3"))
                .withHooks(Hooks.of(MicrovmHooks.allEnabled(10).withRun(HookState.ENABLED, 1))));
        MicrovmImageVersion v = server.client().waitForImageVersion("slow-run", slow.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
        assertThat(v.hooks().microvmHooks().runTimeoutInSeconds()).isEqualTo(1);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        EmberTestServer.deleteTree(tmp);
    }

    private static JsonNode state(TestVm vm) throws Exception {
        return JSON.readTree(vm.ok(STATE));
    }

    /**
     * The hooks the application saw, after the build's ready (which the snapshot holds). The build's validate ran in a
     * test microVM started from the snapshot and then discarded: no session sees it.
     */
    private static List<String> sessionHooks(JsonNode state) {
        List<String> names = new ArrayList<>();
        for (JsonNode h : state.path("hooks")) names.add(h.path("hook").asText());
        assertThat(names.subList(0, 1)).as("called by the build, before the snapshot").containsExactly("ready");
        return names.subList(1, names.size());
    }

    /** "FROM->TO message" of the HOOK events. */
    private List<String> hookEvents(String id) {
        JsonNode events = Rest.get(server, "/ember/v1/microvms/" + id + "/events").body().path("events");
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (e.path("cause").asText().equals("HOOK")) {
                out.add(e.path("fromState").asText() + "->" + e.path("toState").asText() + " " + e.path("message").asText());
            }
        }
        return out;
    }

    @Test
    void theRunHookGetsThePayloadAndEachMicrovmDrawsItsOwnSession() throws Exception {
        try (TestVm a = TestVm.run(server, RunMicrovmRequest.of("session").withRunHookPayload("{\"tenant\":\"a\"}"));
             TestVm b = TestVm.run(server, RunMicrovmRequest.of("session").withRunHookPayload("{\"tenant\":\"b\"}"))) {
            JsonNode sa = state(a), sb = state(b);
            assertThat(sa.path("payload").asText()).isEqualTo("{\"tenant\":\"a\"}");
            assertThat(sb.path("payload").asText()).isEqualTo("{\"tenant\":\"b\"}");
            assertThat(sessionHooks(sa)).containsExactly("run");
            assertThat(sa.path("hooks").get(1).path("body").asText()).isEqualTo("{\"tenant\":\"a\"}");
            assertThat(sa.path("session").asText()).isNotBlank().isNotEqualTo(sb.path("session").asText());
            assertThat(Rest.events(server, a.id)).containsExactly("PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT");
            assertThat(hookEvents(a.id)).singleElement().asString().matches("PENDING->PENDING run hook answered 200 OK in \\d+ ms");
            System.out.println("run hook latency: " + hookEvents(a.id).getFirst() + " / " + hookEvents(b.id).getFirst());
        }
    }

    @Test
    void suspendAndResumeHooksFireInOrderAndTheSessionSurvives() throws Exception {
        String id;
        try (TestVm vm = TestVm.run(server, RunMicrovmRequest.of("session").withRunHookPayload("s"))) {
            id = vm.id;
            vm.ok(COUNT);
            vm.ok(COUNT);
            String session = state(vm).path("session").asText();
            server.client().suspendMicrovm(vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            server.client().resumeMicrovm(vm.id);

            JsonNode after = state(vm);
            assertThat(sessionHooks(after)).containsExactly("run", "suspend", "resume");
            assertThat(after.path("counter").asInt()).as("memory survives the suspend").isEqualTo(2);
            assertThat(after.path("session").asText()).isEqualTo(session);
        }
        assertThat(Rest.events(server, id)).containsExactly("PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT", "SUSPENDING/USER",
                "SUSPENDING/HOOK", "SUSPENDED/USER", "PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT", "TERMINATING/USER",
                "TERMINATING/HOOK", "TERMINATED/USER");
        List<String> hooks = hookEvents(id);
        System.out.println("hook latencies: " + hooks);
        assertThat(hooks).extracting(s -> s.replaceAll("\\d+ ms", "N ms")).containsExactly(
                "PENDING->PENDING run hook answered 200 OK in N ms",
                "SUSPENDING->SUSPENDING suspend hook answered 200 OK in N ms",
                "PENDING->PENDING resume hook answered 200 OK in N ms",
                "TERMINATING->TERMINATING terminate hook answered 200 OK in N ms");
    }

    @Test
    void aValidateHookThatFailsInTheTestMicrovmFailsTheBuildAndLeavesNoSnapshot() throws Exception {
        Path app = Path.of("../examples/session-app");
        var upload = server.client().uploadCodeArtifact(CodeZip.dockerfile(Files.readString(app.resolve("Dockerfile")))
                .file("app.py", Files.readString(app.resolve("app.py"))).write(Files.createTempDirectory(tmp, "invalid")));
        var created = server.client().createMicrovmImage(CreateMicrovmImageRequest.of("invalid", "debian", upload.codeArtifact())
                .withEnvironmentVariables(Map.of("HOOK_STATUS_VALIDATE", "500"))
                .withResources(List.of(new io.ember.sdk.Resources(512, null)))
                .withHooks(new Hooks(8080, null, new io.ember.sdk.MicrovmImageHooks(HookState.ENABLED, 30, HookState.ENABLED, 30))));
        MicrovmImageVersion v = server.client().waitForImageVersion("invalid", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).isEqualTo(MicrovmImageVersionState.FAILED);
        assertThat(v.stateReason()).matches("validate hook failed: answered 500 Internal Server Error in \\d+ ms \\(only 2xx, or 503 "
                + "to be asked again, are accepted\\)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.client().runMicrovm(RunMicrovmRequest.of("invalid")))
                .as("a version whose validation failed cannot be run").hasMessageContaining("no active version whose build succeeded");
        Path versionDir;
        try (var dirs = Files.list(server.dataDir().resolve("images"))) {
            versionDir = dirs.map(d -> d.resolve("1")).filter(d -> {
                try {
                    return Files.readString(d.resolve("build.log")).contains(" of invalid version 1 ");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).findFirst().orElseThrow();
        }
        String log = Files.readString(versionDir.resolve("build.log"));
        assertThat(log.indexOf("validation microVM up from the snapshot")).as(log).isGreaterThan(log.indexOf("snapshot saved in"));
        for (String gone : new String[] {"snapshot", "vvm", "tvm", "rootfs.ext4"})
            assertThat(versionDir.resolve(gone)).as("removed with the failed build").doesNotExist();
    }

    @Test
    void aRunHookSlowerThanItsTimeoutTerminatesTheMicrovm() {
        String id = server.client().runMicrovm(RunMicrovmRequest.of("slow-run").withRunHookPayload("late")).microvmId();
        var vm = server.client().waitUntilState(id, MicrovmState.TERMINATED, Duration.ofMinutes(3));
        assertThat(vm.state()).isEqualTo(MicrovmState.TERMINATED);
        assertThat(vm.stateReason()).isEqualTo("run hook failed: timed out after 1 s");
        assertThat(Rest.events(server, id)).containsExactly("PENDING/USER", "PENDING/HOOK", "TERMINATED/FAILURE");
        assertThat(hookEvents(id)).containsExactly("PENDING->PENDING run hook failed: timed out after 1 s; the microVM is terminated");
    }

    @Test
    void aSuspendHookSlowerThanItsTimeoutIsRecordedAndTheSuspendHappens() throws Exception {
        var run = server.cli("run-microvm", "--image-identifier", "session", "--run-hook-payload", "via the CLI");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String id = JSON.readTree(run.stdout()).path("microvmId").asText();
        server.client().waitUntilRunning(id, Duration.ofMinutes(3));
        try (TestVm vm = TestVm.run(server, RunMicrovmRequest.of("session"))) { // a second one, untouched
            var frozen = server.client().execAndWait(id, io.ember.sdk.ExecRequest.shell(STATE + " && " + FREEZE_APP));
            assertThat(JSON.readTree(frozen.stdoutText()).path("payload").asText()).isEqualTo("via the CLI");

            var suspend = java.util.concurrent.CompletableFuture.runAsync(() -> server.client().suspendMicrovm(id));
            server.client().waitUntilState(id, MicrovmState.SUSPENDING, Duration.ofSeconds(30));
            // The hook hangs (the application is frozen) for its 3 s: a request with a shorter deadline gets its answer
            // at that deadline, not when the hook gives up (the lock is not held across the hook).
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.embedded().microvms().use(id, Duration.ofMillis(200)).close())
                    .isInstanceOfSatisfying(io.ember.microvm.MicrovmException.class,
                            e -> assertThat(e.getMessage()).contains("is still SUSPENDING after 200 ms"));
            assertThat(server.client().getMicrovm(id).state()).as("the hook still hangs").isEqualTo(MicrovmState.SUSPENDING);
            suspend.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(server.client().getMicrovm(id).state()).isEqualTo(MicrovmState.SUSPENDED);
            server.client().terminateMicrovm(id);
            assertThat(hookEvents(id)).extracting(s -> s.replaceAll("\\d+ ms", "N ms")).containsExactly(
                    "PENDING->PENDING run hook answered 200 OK in N ms",
                    "SUSPENDING->SUSPENDING suspend hook failed: timed out after 3 s; the suspend goes on",
                    "TERMINATING->TERMINATING terminate hook skipped: the microVM was SUSPENDED and is not woken for it");
            assertThat(sessionHooks(state(vm))).as("the other microVM's application saw only its own run").containsExactly("run");
        }
    }
}
