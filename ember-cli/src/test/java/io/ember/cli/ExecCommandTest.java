package io.ember.cli;

import io.ember.sdk.Stub;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExecCommandTest {
    private static final String PATH = "/ember/v1/microvms/mvm-1/exec";
    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void streamsOutputToTheTerminalBeforeTheCommandEnds() {
        CountDownLatch printed = new CountDownLatch(1);
        stub.on("POST", PATH, ex -> {
            OutputStream out = Stub.startStream(ex);
            Stub.line(out, "{\"type\":\"started\",\"pid\":7}");
            Stub.line(out, "{\"type\":\"stdout\",\"data\":\"" + Stub.b64("first\n") + "\"}");
            Stub.line(out, "{\"type\":\"stderr\",\"data\":\"" + Stub.b64("warn\n") + "\"}");
            boolean streamed = printed.await(10, TimeUnit.SECONDS);
            Stub.line(out, streamed ? "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}"
                    : "{\"type\":\"error\",\"errorType\":\"InternalServerException\",\"message\":\"CLI buffered output\"}");
        });
        OutputStream terminal = new OutputStream() {
            private final StringBuilder seen = new StringBuilder();
            @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) {
                seen.append(new String(b, off, len, StandardCharsets.UTF_8));
                if (seen.toString().contains("first\n")) printed.countDown();
            }
        };

        Cli r = Cli.run(new ByteArrayInputStream(new byte[0]), terminal, Map.of(),
                "exec", "mvm-1", "--endpoint-url", stub.url(), "--", "sh", "-c", "echo first; sleep 1");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo("first\n");
        assertThat(r.err).isEqualTo("warn\n");
    }

    @ParameterizedTest
    @CsvSource({"3, 0, false, 3", "-1, 9, false, 137", "-1, 15, false, 143", "-1, 9, true, 124", "0, 0, false, 0"})
    void exitStatus_followsTheShell(int exitCode, int signal, boolean timedOut, int expected) {
        stub.on("POST", PATH, ex -> Stub.line(Stub.startStream(ex), "{\"type\":\"exit\",\"exitCode\":" + exitCode
                + ",\"signal\":" + signal + ",\"timedOut\":" + timedOut + "}"));
        assertThat(Cli.run("exec", "mvm-1", "--endpoint-url", stub.url(), "--", "x").exit).isEqualTo(expected);
    }

    @Test
    void sendsEnvWorkdirTimeoutAndStdin() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", PATH, ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.line(Stub.startStream(ex), "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
        });
        Cli r = Cli.run(new ByteArrayInputStream("piped input".getBytes(StandardCharsets.UTF_8)), Map.of(),
                "exec", "mvm-1", "--env", "A=1", "--env", "B=x=y", "--workdir", "/tmp", "--timeout", "9", "--stdin",
                "--endpoint-url", stub.url(), "--", "cat", "-n");
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode j = sent.get();
        assertThat(j.get("command").toString()).isEqualTo("[\"cat\",\"-n\"]");
        assertThat(j.get("env").get("A").asText()).isEqualTo("1");
        assertThat(j.get("env").get("B").asText()).isEqualTo("x=y");
        assertThat(j.get("workingDirectory").asText()).isEqualTo("/tmp");
        assertThat(j.get("timeoutSeconds").asInt()).isEqualTo(9);
        assertThat(j.get("stdin").asText()).isEqualTo(Stub.b64("piped input"));
    }

    @Test
    void withoutStdinFlag_sendsNoStdin() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", PATH, ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.line(Stub.startStream(ex), "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
        });
        Cli.run(new ByteArrayInputStream("ignored".getBytes(StandardCharsets.UTF_8)), Map.of(),
                "exec", "mvm-1", "--endpoint-url", stub.url(), "--", "true");
        assertThat(sent.get().has("stdin")).isFalse();
        assertThat(sent.get().has("env")).isFalse();
    }

    @Test
    void errors_areServiceErrors_andUsageErrorsExit2() {
        stub.on("POST", PATH, ex -> {
            OutputStream out = Stub.startStream(ex);
            Stub.line(out, "{\"type\":\"stdout\",\"data\":\"" + Stub.b64("part") + "\"}");
            Stub.line(out, "{\"type\":\"error\",\"errorType\":\"ConflictException\",\"message\":\"microVM terminated\"}");
        });
        Cli midway = Cli.run("exec", "mvm-1", "--endpoint-url", stub.url(), "--", "x");
        assertThat(midway.exit).isEqualTo(254);
        assertThat(midway.out).isEqualTo("part");
        assertThat(midway.err).isEqualTo("An error occurred (ConflictException): microVM terminated\n");

        stub.on("POST", "/ember/v1/microvms/mvm-2/exec", ex -> Stub.error(ex, 409, "ConflictException", "microVM is TERMINATED"));
        assertThat(Cli.run("exec", "mvm-2", "--endpoint-url", stub.url(), "--", "x").exit).isEqualTo(254);

        assertThat(Cli.run("exec", "mvm-1").exit).as("no command").isEqualTo(2);
        assertThat(Cli.run("exec", "mvm-1", "ls", "-la").exit).as("options of the command need --").isEqualTo(2);
    }
}
