package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shell's wire format up to the upgrade (the WebSocket itself runs in ember-e2e against a real server). */
class ShellTest {
    static final String ID = "mvm-0123456789abcdef01234567";

    @Test
    void createMicrovmShellAuthToken_postsTheLifetime_andReturnsTheHeaderAndToken() throws Exception {
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.capture("POST", "/2025-09-09/microvms/" + ID + "/shell-auth-token", 200,
                    "{\"authToken\":{\"X-aws-proxy-auth\":\"abc.def\"}}");
            AuthToken r = ember.createMicrovmShellAuthToken(ID, 15);
            assertThat(r.value()).isEqualTo("abc.def");
            assertThat(r.authToken()).containsEntry("X-aws-proxy-auth", "abc.def");
            assertThat(stub.bodyOf("POST", "/2025-09-09/microvms/" + ID + "/shell-auth-token"))
                    .isEqualTo("{\"expirationInMinutes\":15}");
        }
    }

    @Test
    void openShell_refused_throwsTheTypedError_withTheTokenHeaderAndQuerySent() throws Exception {
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.on("GET", "/ember/v1/microvms/" + ID + "/shell",
                    ex -> Stub.error(ex, 403, "AccessDeniedException", "the token has expired"));
            assertThatThrownBy(() -> ember.openShell(ID, "tok.en", ShellOptions.of(30, 100).withCommand("top -b"), d -> { }))
                    .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                        assertThat(e.getMessage()).isEqualTo("the token has expired");
                        assertThat(e.httpStatus()).isEqualTo(403);
                        assertThat(e.requestId()).isEqualTo("req-403");
                    });
            Stub.Seen seen = stub.last();
            assertThat(seen.header("X-aws-proxy-auth")).isEqualTo("tok.en");
            assertThat(seen.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(seen.rawQuery()).isEqualTo("rows=30&cols=100&command=top%20-b");

            stub.on("GET", "/ember/v1/microvms/" + ID + "/shell", ex -> Stub.error(ex, 404, "ResourceNotFoundException", "no"));
            assertThatThrownBy(() -> ember.openShell(ID, "t", 24, 80, d -> { })).isInstanceOf(ResourceNotFoundException.class);
        }
    }

    @Test
    void shellOptions_andResize_keepTheTerminalBounds() {
        assertThatThrownBy(() -> ShellOptions.of(0, 80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellOptions.of(24, 1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellOptions.of(24, 80).withCommand(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ShellExit(-1, 9).shellStatus()).isEqualTo(137);
        assertThat(new ShellExit(7, 0).shellStatus()).isEqualTo(7);
    }
}
