package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.auth.SigV4;
import io.ember.auth.SignatureRejected;
import io.ember.auth.SignedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ember's SigV4 verifier against requests signed by the official, unmodified AWS JavaScript client (its own signing
 * pipeline, captured before sending: src/test/node/sigv4-capture.mjs): ARNs in paths, odd query characters, repeated
 * query keys, JSON bodies. Each must verify; each altered request, wrong secret, unknown key or stale date must not.
 */
class SigV4ConformanceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter AMZ = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Test
    void requestsSignedByTheOfficialClientVerifyAndAlteredOnesDoNot() throws Exception {
        List<JsonNode> vectors = capture();
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(7);
        for (JsonNode v : vectors) {
            SignedRequest r = request(v, v.get("path").asText(), v.get("bodySha256").asText());
            String keyId = v.get("accessKeyId").asText();
            String secret = v.get("secretAccessKey").asText();
            Instant at = Instant.from(AMZ.parse(header(v, "x-amz-date")));
            String what = v.get("method").asText() + " " + v.get("path").asText() + "?" + v.get("query").asText();

            SigV4.Signer signer = SigV4.verify(r, id -> id.equals(keyId) ? Optional.of(secret) : Optional.empty(), at.plusSeconds(30));
            assertThat(signer).as(what).isEqualTo(new SigV4.Signer(keyId, "us-east-1", "lambda"));

            assertRejected(() -> SigV4.verify(r, id -> Optional.of(secret + "x"), at), "InvalidSignatureException", what);
            assertRejected(() -> SigV4.verify(r, id -> Optional.empty(), at), "UnrecognizedClientException", what);
            assertRejected(() -> SigV4.verify(r, id -> Optional.of(secret), at.plus(Duration.ofMinutes(6))),
                    "InvalidSignatureException", what);
            SignedRequest otherBody = request(v, v.get("path").asText(), SigV4.sha256Hex("tampered"));
            assertRejected(() -> SigV4.verify(otherBody, id -> Optional.of(secret), at), "InvalidSignatureException", what);
            SignedRequest otherPath = request(v, v.get("path").asText() + "x", v.get("bodySha256").asText());
            assertRejected(() -> SigV4.verify(otherPath, id -> Optional.of(secret), at), "InvalidSignatureException", what);
        }
    }

    static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code, String what) {
        assertThatThrownBy(call).as(what).isInstanceOfSatisfying(SignatureRejected.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static SignedRequest request(JsonNode v, String path, String bodySha256) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        v.get("headers").properties().forEach(h -> headers.put(h.getKey(), List.of(h.getValue().asText())));
        String query = v.get("query").asText();
        return new SignedRequest(v.get("method").asText(), path, query.isEmpty() ? null : query, headers, bodySha256);
    }

    static String header(JsonNode v, String name) {
        return v.get("headers").get(name).asText();
    }

    static List<JsonNode> capture() throws Exception {
        Path dir = Path.of("src/test/node").toAbsolutePath();
        assertThat(dir.resolve("node_modules/@aws-sdk/client-lambda-microvms"))
                .as("npm dependencies missing: run `npm ci` in %s (bin/test does)", dir).isDirectory();
        Process node = new ProcessBuilder("node", "sigv4-capture.mjs").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        List<JsonNode> vectors = new ArrayList<>();
        for (String line : out.split("\n")) if (line.startsWith("{")) vectors.add(JSON.readTree(line));
        return vectors;
    }
}
