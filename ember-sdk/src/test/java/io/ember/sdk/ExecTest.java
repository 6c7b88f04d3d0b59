package io.ember.sdk;

import static io.ember.sdk.Stub.b64;
import static io.ember.sdk.Stub.line;
import static io.ember.sdk.Stub.startStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExecTest {
    private static final String PATH = "/ember/v1/microvms/mvm-1/exec";
    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();

    @Test
    void events_arriveWhileTheServerIsStillRunningTheCommand() {
        CountDownLatch clientSawOutput = new CountDownLatch(1);
        stub.on("POST", PATH, ex -> {
            OutputStream out = startStream(ex);
            line(out, "{\"type\":\"started\",\"pid\":412}");
            line(out, "{\"type\":\"stdout\",\"data\":\"" + b64("hi\n") + "\"}");
            // The exit line is only written once the client has shown it got the first chunk.
            boolean streamed = clientSawOutput.await(10, TimeUnit.SECONDS);
            line(out, streamed ? "{\"type\":\"exit\",\"exitCode\":3,\"signal\":0,\"timedOut\":false}"
                    : "{\"type\":\"error\",\"errorType\":\"InternalServerException\",\"message\":\"client buffered\"}");
        });

        List<ExecEvent> events = new ArrayList<>();
        try (ExecStream stream = client.exec("mvm-1", ExecRequest.command("sh", "-c", "echo hi; exit 3"))) {
            events.add(stream.next());
            events.add(stream.next());
            clientSawOutput.countDown();
            events.add(stream.next());
            assertThat(stream.hasNext()).isFalse();
        }

        assertThat(events.get(0)).isEqualTo(new ExecEvent.Started(412));
        assertThat(new String(((ExecEvent.Stdout) events.get(1)).data(), StandardCharsets.UTF_8)).isEqualTo("hi\n");
        assertThat(events.get(2)).isEqualTo(new ExecEvent.Exit(3, 0, false));
        assertThat(stub.last().header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void request_carriesArgvEnvWorkdirBase64StdinAndTimeout() {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", PATH, ex -> {
            sent.set(Json.MAPPER.readTree(Stub.body(ex)));
            OutputStream out = startStream(ex);
            line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
        });

        client.execAndWait("mvm-1", ExecRequest.command("cat").withEnv("A", "1").withWorkingDirectory("/tmp")
                .withStdin("in put".getBytes(StandardCharsets.UTF_8)).withTimeoutSeconds(5));

        JsonNode j = sent.get();
        assertThat(j.get("command").toString()).isEqualTo("[\"cat\"]");
        assertThat(j.get("env").get("A").asText()).isEqualTo("1");
        assertThat(j.get("workingDirectory").asText()).isEqualTo("/tmp");
        assertThat(j.get("stdin").asText()).isEqualTo(b64("in put"));
        assertThat(j.get("timeoutSeconds").asInt()).isEqualTo(5);
        assertThat(j.has("shell")).isFalse();
    }

    @Test
    void execAndWait_collectsBothStreams_capsThem_andReportsSignal() {
        stub.on("POST", PATH, ex -> {
            OutputStream out = startStream(ex);
            line(out, "{\"type\":\"started\",\"pid\":1}");
            line(out, "{\"type\":\"stdout\",\"data\":\"" + b64("abcdef") + "\"}");
            line(out, "");
            line(out, "{\"type\":\"heartbeat\"}");
            line(out, "{\"type\":\"stderr\",\"data\":\"" + b64("oops") + "\"}");
            line(out, "{\"type\":\"stdout\",\"data\":\"" + b64("ghij") + "\"}");
            line(out, "{\"type\":\"exit\",\"exitCode\":-1,\"signal\":9,\"timedOut\":false}");
        });

        ExecResult r = client.execAndWait("mvm-1", ExecRequest.shell("x"), 8);

        assertThat(r.stdoutText()).isEqualTo("abcdefgh");
        assertThat(r.stderrText()).isEqualTo("oops");
        assertThat(r.truncated()).isTrue();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.signal()).isEqualTo(9);
        assertThat(r.shellStatus()).isEqualTo(137);
        assertThat(new ExecEvent.Exit(0, 0, true).shellStatus()).isEqualTo(124);
    }

    @Test
    void errorLine_isThrownAsItsType() {
        stub.on("POST", PATH, ex -> {
            OutputStream out = startStream(ex);
            line(out, "{\"type\":\"stdout\",\"data\":\"" + b64("partial") + "\"}");
            line(out, "{\"type\":\"error\",\"errorType\":\"ConflictException\",\"message\":\"microVM terminated\"}");
        });
        List<String> got = new ArrayList<>();
        Throwable t = catchThrowable(() -> client.exec("mvm-1", ExecRequest.command("x"), new ExecHandler() {
            @Override public void onStdout(byte[] data) { got.add(new String(data, StandardCharsets.UTF_8)); }
        }));
        assertThat(got).containsExactly("partial");
        assertThat(t).isInstanceOf(ConflictException.class).hasMessage("microVM terminated");
        assertThat(((EmberException) t).httpStatus()).isEqualTo(409);
    }

    @Test
    void errorBeforeStreaming_isTyped() {
        stub.on("POST", PATH, ex -> Stub.error(ex, 409, "ConflictException", "microVM is TERMINATED"));
        assertThat(catchThrowable(() -> client.execAndWait("mvm-1", ExecRequest.command("true"))))
                .isInstanceOf(ConflictException.class).hasMessage("microVM is TERMINATED");
    }

    @Test
    void streamCutBeforeExit_isAnIoError() {
        stub.on("POST", PATH, ex -> line(startStream(ex), "{\"type\":\"started\",\"pid\":1}"));
        assertThat(catchThrowable(() -> client.execAndWait("mvm-1", ExecRequest.command("true"))))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("without an exit event");
    }

    @Test
    void request_rejectsBothOrNeitherCommandAndShell() {
        assertThat(catchThrowable(() -> new ExecRequest(List.of("a"), "b", null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> new ExecRequest(null, null, null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
