package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.Stub;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shell verbs against a stub, up to the WebSocket (which ember-e2e drives against a real microVM). */
class ShellCommandsTest {
    static final String ID = "mvm-0123456789abcdef01234567";
    static final String TOKEN_PATH = "/2025-09-09/microvms/" + ID + "/shell-auth-token";
    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void createMicrovmShellAuthToken_printsTheModelsAnswer() {
        stub.capture("POST", TOKEN_PATH, 200, "{\"authToken\":{\"X-aws-proxy-auth\":\"abc.def\"}}");
        Cli r = Cli.run("create-microvm-shell-auth-token", "--endpoint-url", stub.url(), "--microvm-identifier", ID,
                "--expiration-in-minutes", "15");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo("{\n    \"authToken\": {\n        \"X-aws-proxy-auth\": \"abc.def\"\n    }\n}\n");
        assertThat(stub.bodyOf("POST", TOKEN_PATH)).isEqualTo("{\"expirationInMinutes\":15}");
    }

    @Test
    void createMicrovmShellAuthToken_refusesALifetimeOutsideTheModel() {
        for (String minutes : new String[] {"0", "61"}) {
            Cli r = Cli.run("create-microvm-shell-auth-token", "--endpoint-url", stub.url(), "--microvm-identifier", ID,
                    "--expiration-in-minutes", minutes);
            assertThat(r.exit).as(r.toString()).isEqualTo(2);
            assertThat(r.err).contains("--expiration-in-minutes must be between 1 and 60");
        }
        assertThat(stub.seen).isEmpty();
    }

    @Test
    void shell_asksForAShortTokenAndReportsARefusedShellLikeAnyServiceError() {
        stub.capture("POST", TOKEN_PATH, 200, "{\"authToken\":{\"X-aws-proxy-auth\":\"abc.def\"}}");
        stub.on("GET", "/ember/v1/microvms/" + ID + "/shell",
                ex -> Stub.error(ex, 409, "ConflictException", "microVM " + ID + " is TERMINATED"));
        Cli r = Cli.run(new ByteArrayInputStream("exit 3\n".getBytes()), Map.of(), "shell", ID, "--endpoint-url", stub.url(),
                "--command", "top -b");
        assertThat(r.exit).as(r.toString()).isEqualTo(Failures.SERVICE_ERROR);
        assertThat(r.err).isEqualTo("An error occurred (ConflictException): microVM " + ID + " is TERMINATED\n");
        assertThat(stub.bodyOf("POST", TOKEN_PATH)).isEqualTo("{\"expirationInMinutes\":" + ShellCommands.SHELL_TOKEN_MINUTES + "}");
        Stub.Seen open = stub.last();
        assertThat(open.header("X-aws-proxy-auth")).isEqualTo("abc.def");
        assertThat(open.rawQuery()).isEqualTo("rows=24&cols=80&command=top%20-b"); // stdin is not a terminal here
    }
}
