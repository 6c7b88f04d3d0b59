package io.ember.auth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    static final Instant T = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void aSignatureIsAcceptedOnceWhileItCouldVerifyAndTheMemoryIsBounded() {
        ReplayGuard g = new ReplayGuard(2);
        g.check("a", T);
        assertThatThrownBy(() -> g.check("a", T.plusSeconds(599))).hasMessageContaining("already received");
        g.check("b", T.plusSeconds(1));
        assertThatThrownBy(() -> g.check("c", T.plusSeconds(2))).isInstanceOfSatisfying(SignatureRejected.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo("ThrottlingException"));
        g.check("a", T.plusSeconds(600)); // a's window (twice the skew) is over: it could not verify any more anyway
    }
}
