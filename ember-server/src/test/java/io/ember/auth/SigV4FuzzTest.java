package io.ember.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The SigV4 verifier and the canonical request it rebuilds, fed requests an unauthenticated caller controls entirely.
 * Properties: any request is verified or refused with {@link SignatureRejected} (an AWS error code), never another
 * exception; a request signed with the key is accepted; and a signed request changed afterwards is accepted exactly
 * when its canonical form did not change (the signature covers all it should and nothing more).
 */
class SigV4FuzzTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final String SECRET = "fuzz-secret";
    private static final Function<String, Optional<String>> KEYS = id -> id.equals("AKFUZZ") ? Optional.of(SECRET) : Optional.empty();

    /** Everything from the input: the Authorization and X-Amz-Date headers too, at times well formed. */
    @FuzzTest(maxDuration = "10s")
    void anyRequest(FuzzedDataProvider data) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of(data.consumeString(40)));
        headers.put("X-Amz-Date", data.consumeBoolean() ? List.of(SigV4.amzDate(NOW)) : List.of(data.consumeString(20)));
        String auth = data.consumeBoolean()
                ? "AWS4-HMAC-SHA256 Credential=" + (data.consumeBoolean() ? "AKFUZZ" : data.consumeString(10)) + "/"
                        + data.pickValue(new String[] {"20261129", "20261128", data.consumeString(8)})
                        + "/us-east-1/lambda/aws4_request, SignedHeaders=" + data.consumeString(40) + ", Signature="
                        + "0123456789abcdef".repeat(4)
                : data.consumeString(300);
        headers.put("Authorization", List.of(auth));
        for (int n = data.consumeInt(0, 4); n > 0; n--) {
            List<String> values = new ArrayList<>();
            for (int v = data.consumeInt(1, 3); v > 0; v--) values.add(data.consumeString(30));
            headers.put(data.consumeString(20), values);
        }
        SignedRequest r = new SignedRequest(data.consumeString(10), data.consumeString(200), data.consumeString(200),
                headers, data.consumeRemainingAsString());
        try {
            SigV4.Signer signer = SigV4.verify(r, KEYS, NOW);
            assertThat(signer.accessKeyId()).isEqualTo("AKFUZZ"); // only the key's holder gets past the signature
        } catch (SignatureRejected refused) {
            assertThat(refused.code()).endsWith("Exception");
        }
    }

    /** A request signed with the key, then perhaps changed in one part. */
    @FuzzTest(maxDuration = "10s")
    void signedThenChanged(FuzzedDataProvider data) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("127.0.0.1:" + data.consumeInt(1, 65535)));
        headers.put("X-Amz-Date", List.of(SigV4.amzDate(NOW)));
        for (int n = data.consumeInt(0, 3); n > 0; n--) {
            String name = data.consumeString(12).toLowerCase(java.util.Locale.ROOT);
            if (!name.matches("[a-z0-9-]{1,12}") || name.equals("host") || name.equals("x-amz-date") || name.equals("authorization")) continue;
            headers.put(name, List.of(data.consumeString(40)));
        }
        SignedRequest r = new SignedRequest(data.pickValue(new String[] {"GET", "POST", "DELETE"}), data.consumeString(100),
                data.consumeString(100), headers, SigV4.sha256Hex(data.consumeString(20)));
        String authorization;
        try {
            authorization = SigV4.authorization(r, "AKFUZZ", SECRET, "us-east-1", "lambda");
        } catch (SignatureRejected malformedQuery) { // a query that is not percent-encoding: refused by both sides
            assertThatThrownBy(() -> SigV4.canonicalQuery(r.rawQuery())).isInstanceOf(SignatureRejected.class);
            return;
        }
        Map<String, List<String>> signedHeaders = new LinkedHashMap<>(headers);
        signedHeaders.put("Authorization", List.of(authorization));
        SignedRequest signed = new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), signedHeaders, r.payloadSha256());
        assertThat(SigV4.verify(signed, KEYS, NOW).accessKeyId()).isEqualTo("AKFUZZ");

        SignedRequest changed = switch (data.consumeInt(0, 3)) {
            case 0 -> new SignedRequest(signed.method(), data.consumeString(100), signed.rawQuery(), signedHeaders, signed.payloadSha256());
            case 1 -> new SignedRequest(signed.method(), signed.rawPath(), data.consumeString(100), signedHeaders, signed.payloadSha256());
            case 2 -> {
                Map<String, List<String>> h = new LinkedHashMap<>(signedHeaders);
                // any signed header but X-Amz-Date, whose change is refused before the signature is checked
                String victim = data.pickValue(headers.keySet().stream().filter(k -> !k.equals("X-Amz-Date")).toList());
                h.put(victim, List.of(data.consumeString(40)));
                yield new SignedRequest(signed.method(), signed.rawPath(), signed.rawQuery(), h, signed.payloadSha256());
            }
            default -> new SignedRequest(signed.method(), signed.rawPath(), signed.rawQuery(), signedHeaders,
                    SigV4.sha256Hex(data.consumeRemainingAsString()));
        };
        List<String> names = headers.keySet().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).sorted().toList();
        String before = SigV4.canonical(signed, names);
        String after;
        try {
            after = SigV4.canonical(changed, names);
        } catch (SignatureRejected malformed) {
            assertThatThrownBy(() -> SigV4.verify(changed, KEYS, NOW)).isInstanceOf(SignatureRejected.class);
            return;
        }
        if (after.equals(before)) {
            assertThat(SigV4.verify(changed, KEYS, NOW).accessKeyId()).isEqualTo("AKFUZZ");
        } else {
            assertThatThrownBy(() -> SigV4.verify(changed, KEYS, NOW)).isInstanceOf(SignatureRejected.class)
                    .extracting(e -> ((SignatureRejected) e).code()).isEqualTo("InvalidSignatureException");
        }
    }
}
