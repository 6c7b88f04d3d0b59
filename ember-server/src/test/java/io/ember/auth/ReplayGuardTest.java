package io.ember.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    static final Instant T = Instant.parse("2026-11-29T12:00:00Z");

    /** The store's part as a map (pure logic: the real ledger is TenantStore's table, tested over HTTP). */
    static final class MapLedger implements ReplayGuard.Ledger {
        final Map<String, Instant> rows = new HashMap<>();
        int sweeps;

        @Override
        public boolean record(String tenantId, String signature, Instant now, Instant expires) {
            Instant earlier = rows.get(tenantId + "/" + signature);
            if (earlier != null && earlier.isAfter(now)) return false;
            rows.put(tenantId + "/" + signature, expires);
            return true;
        }

        @Override
        public void sweep(Instant now) {
            sweeps++;
            rows.values().removeIf(e -> !e.isAfter(now));
        }

        @Override
        public Map<String, List<Instant>> live(Instant now) {
            Map<String, List<Instant>> out = new HashMap<>();
            rows.forEach((k, e) -> {
                if (e.isAfter(now)) out.computeIfAbsent(k.substring(0, k.indexOf('/')), t -> new ArrayList<>()).add(e);
            });
            out.values().forEach(l -> l.sort(null));
            return out;
        }
    }

    private static String code(Runnable r) {
        try {
            r.run();
            return null;
        } catch (SignatureRejected e) {
            return e.code();
        }
    }

    @Test
    void aSignatureIsAcceptedOnceWhileItCouldVerify() {
        ReplayGuard g = new ReplayGuard(10, new MapLedger(), T);
        g.check("a", "s1", T);
        assertThatThrownBy(() -> g.check("a", "s1", T.plusSeconds(599))).hasMessageContaining("already received");
        g.check("a", "s1", T.plusSeconds(600)); // its window (twice the skew) is over: it could not verify any more anyway
    }

    @Test
    void oneTenantFillingItsBoundIsRefusedAloneAndTheBoundFreesAsSignaturesExpire() {
        ReplayGuard g = new ReplayGuard(2, new MapLedger(), T);
        g.check("noisy", "n1", T);
        g.check("noisy", "n2", T.plusSeconds(1));
        assertThat(code(() -> g.check("noisy", "n3", T.plusSeconds(2)))).isEqualTo("ThrottlingException");
        g.check("quiet", "q1", T.plusSeconds(2)); // another tenant is not affected
        g.check("quiet", "q2", T.plusSeconds(3));
        g.check("noisy", "n3", T.plusSeconds(600)); // n1 expired
    }

    @Test
    void aRestartForgetsNothingStillLiveAndTheLedgerIsSwept() {
        MapLedger ledger = new MapLedger();
        ReplayGuard before = new ReplayGuard(2, ledger, T);
        before.check("a", "s1", T);
        before.check("a", "s2", T.plusSeconds(300));
        ReplayGuard after = new ReplayGuard(2, ledger, T.plusSeconds(301)); // a new server on the same store
        assertThat(code(() -> after.check("a", "s1", T.plusSeconds(302)))).isEqualTo("ThrottlingException"); // still counted
        assertThat(code(() -> after.check("a", "s2", T.plusSeconds(601)))).isEqualTo("InvalidSignatureException");
        assertThat(ledger.rows).containsOnlyKeys("a/s2"); // s1 swept when it expired
        after.check("a", "s3", T.plusSeconds(602));
        assertThat(ledger.sweeps).isGreaterThanOrEqualTo(3);
    }
}
