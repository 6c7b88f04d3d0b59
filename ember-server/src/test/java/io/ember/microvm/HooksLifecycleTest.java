package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ember.hooks.Hooks;
import io.ember.image.ImageSource;
import io.ember.image.LaunchSource;
import io.ember.store.EventRecord;
import io.ember.testing.Await;
import io.ember.testing.FakeDriver;
import io.ember.testing.FakeVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lifecycle hooks over fake machines: the fake agent's guest port 8080 is a loopback HTTP server playing the
 * application. Which hook runs when, with what, what each outcome records, and the rule on failure.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HooksLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWS_PREFIX = "/aws/lambda-microvms/runtime/v1";
    private static final String ALL = """
            {"microvmHooks":{"run":"ENABLED","runTimeoutInSeconds":1,"suspend":"ENABLED","suspendTimeoutInSeconds":1,
             "resume":"ENABLED","resumeTimeoutInSeconds":1,"terminate":"ENABLED","terminateTimeoutInSeconds":1}}""";

    @TempDir
    Path dir;
    SuspendFixture f;
    HttpServer app;

    /** One call the application saw, with what the host looked like at that moment. */
    record Call(String path, String fullPath, String body, String microvmId, String hookHeader, String state, boolean vmAlive, int saves,
                int restoredFixups, long atNanos) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Per path: the status the application answers (default 200) and how long it sleeps first. */
    final Map<String, Integer> status = new ConcurrentHashMap<>();
    final Map<String, Integer> delayMs = new ConcurrentHashMap<>();
    /** Per path: a gate the application waits on before it answers (a hook that hangs until the test lets it go). */
    final Map<String, java.util.concurrent.CountDownLatch> gates = new ConcurrentHashMap<>();
    /** Hooks that may take 30 s: a hanging one is still hanging when the test looks. */
    private static final String SLOW = ALL.replace("TimeoutInSeconds\":1", "TimeoutInSeconds\":30");

    @BeforeEach
    void setUp() throws Exception {
        f = new SuspendFixture(dir, 4);
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        app.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        app.createContext("/", ex -> {
            String id = ex.getRequestHeaders().getFirst("X-Ember-Microvm-Id");
            String fullPath = ex.getRequestURI().getPath();
            // keyed by the hook's name path (/run), whichever contract's prefix it came with
            String path = fullPath.startsWith(AWS_PREFIX) ? fullPath.substring(AWS_PREFIX.length()) : fullPath;
            FakeVm vm = f.driver.vm(id);
            calls.add(new Call(path, fullPath, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), id,
                    ex.getRequestHeaders().getFirst("X-Ember-Hook"), f.state(id), !vm.exited().isDone(), f.driver.saves.size(),
                    f.agents.of(id).restored.size(), System.nanoTime()));
            try {
                Thread.sleep(delayMs.getOrDefault(path, 0));
                var gate = gates.get(path);
                if (gate != null) gate.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.getOrDefault(path, 200), answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        app.start();
        f.agents.tcpPorts.put(8080, app.getAddress().getPort());
    }

    @AfterEach
    void tearDown() {
        app.stop(0);
        f.close();
    }

    /** Restarts the server with an image "app" launched from a snapshot, with these hooks. */
    private void useApp(String hooksJson) throws Exception {
        useApp(hooksJson, io.ember.hooks.HookContract.AWS);
    }

    private void useApp(String hooksJson, io.ember.hooks.HookContract contract) throws Exception {
        Path template = dir.resolve("images-built/app/1/snapshot");
        FakeDriver.writeSnapshot(template, 1, 128);
        Files.writeString(dir.resolve("app.ext4"), "ext4");
        String arn = "arn:aws:lambda::000000000000:microvm-image:app"; // as stored
        LaunchSource source = new LaunchSource(arn, "app", "1", 1, 128, Map.of(), dir.resolve("app.ext4"), template,
                Hooks.parse(JSON.readTree(hooksJson), contract));
        f.images = catalog -> new ImageSource() {
            final ImageSource managed = ImageSource.managed(catalog);

            @Override
            public Optional<LaunchSource> resolve(String tenantId, String identifier, String version) {
                return identifier.equals("app") ? Optional.of(source) : managed.resolve(tenantId, identifier, version);
            }

            @Override
            public Optional<String> arn(String tenantId, String identifier) {
                return identifier.equals("app") || identifier.equals(arn) ? Optional.of(arn) : managed.arn(tenantId, identifier);
            }
        };
        f.restart();
    }

    private String runApp(String payload) {
        return f.microvms.run(new Action.Run("app", null, null, null, 600, null, payload)).id();
    }

    private List<String> hookEvents(String id) {
        return f.microvms.events(id).stream().filter(e -> e.cause().equals("HOOK"))
                .map(e -> e.fromState() + "->" + e.toState() + " " + e.message()).toList();
    }

    @Test
    void callsRunWithThePayloadAfterTheRestoreAndBeforeRunning() throws Exception {
        useApp(ALL);
        String id = runApp("{\"tenant\":\"t-42\"}");
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));

        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("/run");
            assertThat(c.fullPath()).isEqualTo("/aws/lambda-microvms/runtime/v1/run");
            assertThat(c.body()).isEqualTo("{\"tenant\":\"t-42\"}");
            assertThat(c.microvmId()).isEqualTo(id);
            assertThat(c.hookHeader()).isEqualTo("run");
            assertThat(c.state()).as("requests wait while the run hook runs").isEqualTo("PENDING");
            assertThat(c.restoredFixups()).as("after the clone got its own identity and entropy").isEqualTo(1);
        });
        assertThat(f.events(id)).containsExactly("PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT");
        assertThat(hookEvents(id)).singleElement().asString().matches("PENDING->PENDING run hook answered 200 OK in \\d+ ms");
        var launch = f.store.launch(id).orElseThrow();
        assertThat(launch.runHookPayload()).as("forgotten once delivered").isNull();
        assertThat(Hooks.fromJson(launch.hooksJson()).enabled()).hasSize(4);
    }

    @Test
    void aVersionMadeBeforeTheContractMarkerIsCalledAtEmbersFirstPathsAcrossASuspendAndARestart() throws Exception {
        useApp(ALL.replace(",\"suspendTimeoutInSeconds\":1", ""), io.ember.hooks.HookContract.EMBER_2025);
        String id = runApp("p");
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        var stored = Hooks.fromJson(f.store.launch(id).orElseThrow().hooksJson());
        assertThat(stored.contract()).isEqualTo(io.ember.hooks.HookContract.EMBER_2025);
        assertThat(stored.timeout(Hooks.Hook.SUSPEND)).as("Ember's first default").contains(java.time.Duration.ofSeconds(10));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.restart();
        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(calls).extracting(Call::fullPath).containsExactly("/run", "/suspend", "/resume");
    }

    @Test
    void callsSuspendBeforeTheSnapshotResumeAfterTheRestoreAndTerminateBeforeTheVmmStops() throws Exception {
        useApp(ALL);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.USER));

        assertThat(calls).extracting(Call::path).containsExactly("/run", "/suspend", "/resume", "/terminate");
        assertThat(calls).extracting(Call::body).containsOnly("");
        Call suspend = calls.get(1), resume = calls.get(2), terminate = calls.get(3);
        assertThat(suspend.state()).isEqualTo("SUSPENDING");
        assertThat(suspend.saves()).as("before the snapshot is saved").isZero();
        assertThat(suspend.vmAlive()).isTrue();
        assertThat(resume.state()).isEqualTo("PENDING");
        assertThat(resume.restoredFixups()).as("after the restore's fix-up").isEqualTo(1);
        assertThat(terminate.state()).isEqualTo("TERMINATING");
        assertThat(terminate.vmAlive()).as("before the VMM is stopped").isTrue();
        assertThat(f.events(id)).containsExactly("PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT", "SUSPENDING/USER",
                "SUSPENDING/HOOK", "SUSPENDED/USER", "PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT", "TERMINATING/USER",
                "TERMINATING/HOOK", "TERMINATED/USER");
        assertThat(hookEvents(id)).extracting(s -> s.replaceAll("\\d+ ms", "N ms")).containsExactly(
                "PENDING->PENDING run hook answered 200 OK in N ms",
                "SUSPENDING->SUSPENDING suspend hook answered 200 OK in N ms",
                "PENDING->PENDING resume hook answered 200 OK in N ms",
                "TERMINATING->TERMINATING terminate hook answered 200 OK in N ms");
    }

    @Test
    void aRunHookThatFailsTerminatesTheMicrovm() throws Exception {
        useApp(ALL);
        status.put("/run", 500);
        String id = runApp("p");
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(f.microvms.get(id).stateReason()).matches("run hook failed: answered 500 Internal Server Error in \\d+ ms");
        assertThat(f.events(id)).containsExactly("PENDING/USER", "PENDING/HOOK", "TERMINATED/FAILURE");
        assertThat(f.driver.vm(id).exited().isDone()).isTrue();
        assertThat(calls).extracting(Call::path).as("no terminate hook for a session that never ran").containsExactly("/run");
    }

    @Test
    void aRunHookSlowerThanItsTimeoutTerminatesTheMicrovm() throws Exception {
        useApp(ALL);
        delayMs.put("/run", 3000);
        String id = runApp("p");
        Await.until("TERMINATED", () -> f.state(id).equals("TERMINATED"));
        assertThat(f.microvms.get(id).stateReason()).isEqualTo("run hook failed: timed out after 1 s");
        assertThat(hookEvents(id)).containsExactly(
                "PENDING->PENDING run hook failed: timed out after 1 s; the microVM is terminated");
    }

    @Test
    void failedSuspendAndResumeHooksAreRecordedAndTheStepGoesOn() throws Exception {
        useApp(ALL);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        delayMs.put("/suspend", 3000);
        status.put("/resume", 503);
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
        assertThat(f.driver.saves).hasSize(1);
        f.microvms.resume(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(f.state(id)).isEqualTo("RUNNING");
        assertThat(hookEvents(id)).extracting(s -> s.replaceAll("\\d+ ms", "N ms")).containsExactly(
                "PENDING->PENDING run hook answered 200 OK in N ms",
                "SUSPENDING->SUSPENDING suspend hook failed: timed out after 1 s; the suspend goes on",
                "PENDING->PENDING resume hook failed: answered 503 Service Unavailable in N ms; the microVM runs on");
    }

    @Test
    void anIdleMicrovmWhoseSuspendHookFailsIsNotSuspendedAndIsAskedAgainAfterAnotherIdlePeriod() throws Exception {
        useApp(ALL);
        status.put("/suspend", 503);
        String id = f.microvms.run(new Action.Run("app", null, null, new IdlePolicy(1, 0, true), 600, null, null)).id();
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        Await.until("two suspend hooks", () -> calls.stream().filter(c -> c.path().equals("/suspend")).count() >= 2);
        List<Long> asked = calls.stream().filter(c -> c.path().equals("/suspend")).map(c -> c.atNanos()).toList();
        assertThat(Duration.ofNanos(asked.get(1) - asked.get(0))).as("after another idle period, not at the next tick")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(f.driver.saves).as("nothing saved").isEmpty();
        status.put("/suspend", 200);
        Await.until("SUSPENDED once the application says it is ready", () -> f.state(id).equals("SUSPENDED"));
        assertThat(f.events(id)).startsWith("PENDING/USER", "PENDING/HOOK", "RUNNING/BOOT", "SUSPENDING/IDLE", "SUSPENDING/HOOK",
                "RUNNING/IDLE").endsWith("SUSPENDING/IDLE", "SUSPENDING/HOOK", "SUSPENDED/IDLE");
        assertThat(hookEvents(id).get(1).replaceAll("\\d+ ms", "N ms")).isEqualTo("SUSPENDING->SUSPENDING suspend hook failed: "
                + "answered 503 Service Unavailable in N ms; the microVM is not suspended (the idle policy asks again after another "
                + "idle period)");
        // SuspendMicrovm asked by someone goes on whatever the hook says: see failedSuspendAndResumeHooksAreRecordedAndTheStepGoesOn
    }

    @Test
    void aSuspendedMicrovmIsNotWokenForItsTerminateHook() throws Exception {
        useApp(ALL);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.USER));
        assertThat(calls).extracting(Call::path).containsExactly("/run", "/suspend");
        assertThat(hookEvents(id)).last().isEqualTo(
                "TERMINATING->TERMINATING terminate hook skipped: the microVM was SUSPENDED and is not woken for it");
    }

    @Test
    void aColdBootCallsNoHookAndSaysSo() throws Exception {
        useApp(ALL);
        String id = f.microvms.run(io.ember.tenant.Tenant.ADMIN_ID, new Action.Run("app", null, null, null, 600, null, "p"), true).id();
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.USER));
        assertThat(calls).isEmpty();
        assertThat(f.agents.tcpConnects).isEmpty();
        assertThat(hookEvents(id)).containsExactly("PENDING->PENDING run hook skipped: a cold boot does not start the "
                + "image's application, so no hook is called");
        assertThat(f.store.launch(id).orElseThrow().runHookPayload()).isNull();
    }

    @Test
    void onlyEnabledHooksAreCalledAndAnImageWithoutHooksGetsNone() throws Exception {
        useApp("{\"port\":8080,\"microvmHooks\":{\"run\":\"DISABLED\",\"terminate\":\"ENABLED\"}}");
        String id = runApp("ignored");
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.LIFETIME));
        assertThat(calls).extracting(Call::path).containsExactly("/terminate");
        assertThat(f.store.launch(id).orElseThrow().runHookPayload()).as("kept only for a run hook").isNull();

        String plain = f.running(600, null); // busybox: a managed image has no hooks
        f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(plain, Cause.USER));
        assertThat(f.microvms.events(plain)).extracting(EventRecord::cause).doesNotContain("HOOK");
        assertThat(calls).hasSize(1);
    }

    @Test
    void theHooksOutliveAServerRestart() throws Exception {
        useApp(ALL);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.restart();
        Await.until("RUNNING again", () -> f.state(id).equals("RUNNING"));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        assertThat(calls).extracting(Call::path).containsExactly("/run", "/suspend");
    }

    /** A request whose deadline passes while a hook hangs gets its answer then, not when the hook ends. */
    @Test
    void aRequestDoesNotWaitPastItsDeadlineForASuspendHookThatHangs() throws Exception {
        useApp(SLOW);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        var hang = new java.util.concurrent.CountDownLatch(1);
        gates.put("/suspend", hang);
        var suspend = java.util.concurrent.CompletableFuture.runAsync(() -> f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id));
        Await.until("the suspend hook called", () -> calls.stream().anyMatch(c -> c.path().equals("/suspend")));

        MicrovmException e = refusal(() -> f.microvms.use(id, java.time.Duration.ofMillis(300)).close());
        assertThat(e.kind()).isEqualTo(MicrovmException.Kind.CONFLICT);
        assertThat(e.getMessage()).contains("is still SUSPENDING after 300 ms");
        assertThat(hang.getCount()).as("answered while the hook still hangs").isEqualTo(1);
        assertThat(f.state(id)).isEqualTo("SUSPENDING");
        assertThat(suspend).isNotDone();

        hang.countDown();
        suspend.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(f.state(id)).isEqualTo("SUSPENDED");
        f.microvms.use(id).close(); // wakes it, as before
        assertThat(f.state(id)).isEqualTo("RUNNING");
    }

    @Test
    void aRequestThatWakesAMicrovmDoesNotWaitPastItsDeadlineForAResumeHookThatHangs() throws Exception {
        useApp(SLOW);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id);
        var hang = new java.util.concurrent.CountDownLatch(1);
        gates.put("/resume", hang);

        MicrovmException e = refusal(() -> f.microvms.use(id, java.time.Duration.ofMillis(300)).close());
        assertThat(e.getMessage()).contains("is still PENDING after 300 ms");
        assertThat(hang.getCount()).isEqualTo(1);
        assertThat(f.microvms.get(id).state()).as("reads never wait").isEqualTo("PENDING");
        hang.countDown();
        Await.until("the wake-up it started goes on to RUNNING", () -> f.state(id).equals("RUNNING"));
        f.microvms.use(id, java.time.Duration.ofMillis(300)).close();
    }

    @Test
    void aTerminateDuringASuspendThatHangsWaitsForItAndDiscardsTheSnapshot() throws Exception {
        useApp(SLOW);
        String id = runApp(null);
        Await.until("RUNNING", () -> f.state(id).equals("RUNNING"));
        var hang = new java.util.concurrent.CountDownLatch(1);
        gates.put("/suspend", hang);
        var suspend = java.util.concurrent.CompletableFuture.runAsync(() -> f.microvms.suspend(io.ember.tenant.Tenant.ADMIN_ID, id));
        Await.until("the suspend hook called", () -> calls.stream().anyMatch(c -> c.path().equals("/suspend")));
        var terminate = java.util.concurrent.CompletableFuture.runAsync(
                () -> f.microvms.terminate(io.ember.tenant.Tenant.ADMIN_ID, new Action.Terminate(id, Cause.USER)));

        Thread.sleep(200);
        assertThat(terminate).as("waits for the suspend under way").isNotDone();
        hang.countDown();
        suspend.get(30, java.util.concurrent.TimeUnit.SECONDS);
        terminate.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(f.state(id)).isEqualTo("TERMINATED");
        assertThat(f.events(id)).endsWith("SUSPENDED/USER", "TERMINATING/USER", "TERMINATING/HOOK", "TERMINATED/USER");
    }

    private static MicrovmException refusal(Runnable call) {
        try {
            call.run();
        } catch (MicrovmException e) {
            return e;
        }
        throw new AssertionError("expected a MicrovmException");
    }
}
