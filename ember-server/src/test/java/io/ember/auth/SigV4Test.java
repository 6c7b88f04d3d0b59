package io.ember.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verifier's refusals of malformed requests (its agreement with real clients is SigV4ConformanceTest in ember-e2e). */
class SigV4Test {
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    static SignedRequest with(Map<String, List<String>> headers) {
        return new SignedRequest("GET", "/2025-09-09/microvms", null, headers, SigV4.sha256Hex(""));
    }

    static String code(SignedRequest r) {
        try {
            SigV4.verify(r, id -> Optional.of("s"), NOW);
            return "verified";
        } catch (SignatureRejected e) {
            return e.code();
        }
    }

    @Test
    void malformedAuthorizationIsRefusedWithTheAwsCode() {
        String good = "AWS4-HMAC-SHA256 Credential=AK/20261129/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                + "0".repeat(64);
        assertThat(code(with(Map.of()))).isEqualTo("MissingAuthenticationTokenException");
        assertThat(code(with(Map.of("Authorization", List.of("Basic abc"))))).isEqualTo("IncompleteSignatureException");
        assertThat(code(with(Map.of("Authorization", List.of(good, good))))).isEqualTo("IncompleteSignatureException");
        assertThat(code(with(Map.of("Authorization", List.of(good), "Host", List.of("h"))))).isEqualTo("IncompleteSignatureException");
        assertThat(code(with(Map.of("Authorization", List.of(good), "Host", List.of("h"), "X-Amz-Date", List.of("20261129T120000Z")))))
                .isEqualTo("InvalidSignatureException");
        assertThat(code(with(Map.of("Authorization", List.of(good.replace("host;", "")), "X-Amz-Date", List.of("20261129T120000Z")))))
                .isEqualTo("IncompleteSignatureException");
        assertThat(code(with(Map.of("Authorization", List.of(good.replace("20261129", "20261128")), "Host", List.of("h"),
                "X-Amz-Date", List.of("20261129T120000Z"))))).isEqualTo("IncompleteSignatureException");
    }

    @Test
    void pathsAreEncodedOnceMoreAndQueriesSortedAsTheSignersDo() {
        assertThat(SigV4.canonicalPath("/2025-09-09/microvms/arn%3Aaws%3Alambda")).isEqualTo("/2025-09-09/microvms/arn%253Aaws%253Alambda");
        assertThat(SigV4.canonicalQuery("b=2&a=%20x&a=1&c")).isEqualTo("a=%20x&a=1&b=2&c=");
        assertThatThrownBy(() -> SigV4.canonicalQuery("a=%zz")).isInstanceOf(SignatureRejected.class);
    }
}
