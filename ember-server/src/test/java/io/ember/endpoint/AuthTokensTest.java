package io.ember.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTokensTest {
    static final String VM = "mvm-0123456789abcdef01234567";
    @TempDir Path data;

    @Test
    void aTokenOpensItsPortsOfItsMicrovmUntilItExpires() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String token = new AuthTokens(new byte[32], Clock.fixed(t0, ZoneOffset.UTC))
                .issueEndpoint(VM, List.of(PortRange.of(8080), new PortRange(9000, 9009)), Duration.ofMinutes(5));
        AuthTokens before = new AuthTokens(new byte[32], Clock.fixed(t0.plusSeconds(299), ZoneOffset.UTC));
        AuthTokens after = new AuthTokens(new byte[32], Clock.fixed(t0.plusSeconds(300), ZoneOffset.UTC));

        before.checkEndpoint(token, VM, 8080);
        before.checkEndpoint(token, VM, 9009);
        assertThatThrownBy(() -> before.checkEndpoint(token, VM, 9010)).hasMessageContaining("does not allow port 9010");
        assertThatThrownBy(() -> before.checkEndpoint(token, "mvm-ffffffffffffffffffffffff", 8080))
                .hasMessageContaining("another microVM");
        assertThatThrownBy(() -> before.checkShell(token, VM)).hasMessageContaining("not a shell token");
        assertThatThrownBy(() -> after.checkEndpoint(token, VM, 8080)).hasMessageContaining("expired");
    }

    @Test
    void anotherKeyOrAnEditedClaimIsRefused() {
        AuthTokens tokens = new AuthTokens(new byte[32], Clock.systemUTC());
        String token = tokens.issueEndpoint(VM, List.of(PortRange.of(8080)), Duration.ofMinutes(5));
        byte[] other = new byte[32];
        other[0] = 1;
        String claims = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        String widened = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.replace("[[8080,8080]]", "[[1,65535]]").getBytes()) + token.substring(token.indexOf('.'));

        assertThatThrownBy(() -> new AuthTokens(other, Clock.systemUTC()).checkEndpoint(token, VM, 8080))
                .isInstanceOf(AccessDenied.class).hasMessage("invalid token");
        assertThatThrownBy(() -> tokens.checkEndpoint(widened, VM, 22)).hasMessage("invalid token");
        assertThatThrownBy(() -> tokens.checkEndpoint("a.b.c", VM, 8080)).hasMessage("malformed token");
        assertThatThrownBy(() -> tokens.checkEndpoint("x".repeat(5000), VM, 8080)).hasMessage("malformed token");
        assertThatThrownBy(() -> tokens.checkEndpoint(null, VM, 8080)).hasMessageContaining("missing");
    }

    @Test
    void theKeyIsMadeOnceReadableOnlyByItsOwnerAndSurvivesARestart() throws Exception {
        String token = AuthTokens.open(data).issueShell(VM, Duration.ofMinutes(1));

        AuthTokens.open(data).checkShell(token, VM);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("auth-token.key"))))
                .isEqualTo("rw-------");
        assertThatThrownBy(() -> new AuthTokens(new byte[32], Clock.systemUTC()).issueShell(VM, Duration.ofMinutes(61)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
