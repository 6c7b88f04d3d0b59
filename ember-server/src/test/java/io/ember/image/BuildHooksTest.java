package io.ember.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ember.agent.GuestAgent;
import io.ember.hooks.HookContract;
import io.ember.hooks.Hooks;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.BuildLog;
import io.ember.testing.FakeAgents;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The build's ready and validate hooks against a loopback HTTP server standing in for the template VM's application. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BuildHooksTest {
    private final FakeAgents agents = new FakeAgents();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final BuildLog log = new BuildLog() {
        @Override
        public void line(String text) {
            lines.add(text);
        }

        @Override
        public void output(byte[] chunk, int off, int len) {}
    };
    private GuestAgent agent;
    private HttpServer app;
    /** The first this many /ready calls answer 503 (the application is still warming up). */
    private final AtomicInteger notReadyFor = new AtomicInteger();
    private volatile int validateStatus = 200;
    /** The first this many /validate calls answer 503 (the application needs more time). */
    private final AtomicInteger notValidFor = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        agent = agents.connect(Path.of("/tmp/none/agent.sock"), Duration.ofSeconds(1));
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        app.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            calls.add(path + " " + ex.getRequestHeaders().getFirst("X-Ember-Hook") + " "
                    + ex.getRequestHeaders().getFirst("X-Ember-Image-Build-Id"));
            int status = path.endsWith("/ready") ? (notReadyFor.getAndDecrement() > 0 ? 503 : 200)
                    : notValidFor.getAndDecrement() > 0 ? 503 : validateStatus;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        app.start();
    }

    @AfterEach
    void stop() {
        app.stop(0);
    }

    private BuildHooks hooks(String json) throws Exception {
        return hooks(json, HookContract.AWS);
    }

    private BuildHooks hooks(String json, HookContract contract) throws Exception {
        return new BuildHooks(Hooks.parse(new ObjectMapper().readTree(json), contract), log, "bld-1");
    }

    @Test
    void readyAndValidateAreAskedAgainWhileTheyAnswer503AtAwsPaths() throws Exception {
        agents.tcpPorts.put(9000, app.getAddress().getPort());
        notReadyFor.set(3);
        notValidFor.set(2);
        BuildHooks h = hooks("{\"port\":9000,\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"readyTimeoutInSeconds\":10,"
                + "\"validate\":\"ENABLED\"}}");
        assertThat(h.validateEnabled()).isTrue();
        h.ready(agent);
        h.validate(agent);
        String ready = "/aws/lambda-microvms/runtime/v1/ready ready bld-1", validate = "/aws/lambda-microvms/runtime/v1/validate validate bld-1";
        assertThat(calls).containsExactly(ready, ready, ready, ready, validate, validate, validate);
        assertThat(lines).anyMatch(l -> l.startsWith("ready hook answered 200 OK in ") && l.contains("(attempt 4, "))
                .anyMatch(l -> l.startsWith("validate hook answered 200 OK in ") && l.contains("(attempt 3, "));
    }

    @Test
    void aVersionMadeBeforeTheMarkerIsAskedAtEmbersFirstPaths() throws Exception {
        agents.tcpPorts.put(8080, app.getAddress().getPort());
        hooks("{\"microvmImageHooks\":{\"ready\":\"ENABLED\"}}", HookContract.EMBER_2025).ready(agent);
        assertThat(calls).containsExactly("/ready ready bld-1");
    }

    @Test
    void readyRetriesWhileNothingListensAndFailsTheBuildAtItsTimeout() throws Exception {
        BuildHooks h = hooks("{\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"readyTimeoutInSeconds\":1}}");
        assertThatThrownBy(() -> h.ready(agent)).isInstanceOf(BuildFailure.class)
                .hasMessageMatching("ready hook did not answer 2xx within 1 s \\(\\d+ attempts; the last connection refused "
                        + "on port 8080 \\(nothing listens there in the guest\\)\\)");
        assertThat(agents.tcpConnects.size()).as("retried every 200 ms").isGreaterThan(2);
    }

    @Test
    void aValidateHookThatAnswersAnotherStatusFailsTheBuildAtOnce() throws Exception {
        agents.tcpPorts.put(8080, app.getAddress().getPort());
        validateStatus = 500;
        BuildHooks h = hooks("{\"microvmImageHooks\":{\"validate\":\"ENABLED\",\"validateTimeoutInSeconds\":600}}");
        h.ready(agent); // not ENABLED: nothing is called
        assertThat(calls).isEmpty();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> h.validate(agent)).isInstanceOf(BuildFailure.class)
                .hasMessageMatching("validate hook failed: answered 500 Internal Server Error in \\d+ ms \\(only 2xx, or 503 to be "
                        + "asked again, are accepted\\)");
        assertThat(calls).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aReadyHookThatKeepsAnswering503FailsAtItsTimeout() throws Exception {
        agents.tcpPorts.put(8080, app.getAddress().getPort());
        notReadyFor.set(1000);
        BuildHooks h = hooks("{\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"readyTimeoutInSeconds\":1}}");
        assertThatThrownBy(() -> h.ready(agent)).isInstanceOf(BuildFailure.class)
                .hasMessageMatching("ready hook did not answer 2xx within 1 s \\(\\d+ attempts; the last answered 503 Service "
                        + "Unavailable in \\d+ ms\\)");
    }
}
