package io.ember.sdk;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's side of SigV4 for the stub: rebuilds the signature from the request as it arrived on the wire
 * (Host, raw path and query, body) and refuses what the server would refuse, in the server's error types:
 * a missing or malformed signature, a wrong key, a date more than 5 minutes off, a repeated signature,
 * UNSIGNED-PAYLOAD outside the streaming routes, a signature not covering host, x-amz-date,
 * x-amz-content-sha256 and amz-sdk-invocation-id.
 */
final class SignatureCheck {
    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final Set<String> REQUIRED = Set.of("host", "x-amz-date", "x-amz-content-sha256", "amz-sdk-invocation-id");

    private final Credentials credentials;
    private final Set<String> seenSignatures = ConcurrentHashMap.newKeySet();

    SignatureCheck(Credentials credentials) {
        this.credentials = credentials;
    }

    /** Whether the route is open to all (or authorised otherwise, as the shell by its token). */
    static boolean unsigned(String method, String rawPath) {
        return method.equals("GET") && (rawPath.equals("/ember/v1/health") || rawPath.equals("/ember/v1/openapi.json")
                || rawPath.matches("/ember/v1/microvms/[^/]+/shell"));
    }

    static boolean streaming(String method, String rawPath) {
        return method.equals("PUT") && rawPath.matches("/ember/v1/microvms/[^/]+/files")
                || method.equals("POST") && rawPath.equals("/ember/v1/uploads");
    }

    /** Null when the signature holds (the body, if read, is put back for the handler); else {type, message}. */
    String[] check(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) return new String[] {"MissingAuthenticationTokenException", "the request is not signed"};
        Matcher m = AUTH.matcher(auth);
        if (!m.matches()) return new String[] {"IncompleteSignatureException", "malformed Authorization: " + auth};
        if (!m.group(1).equals(credentials.accessKeyId())) {
            return new String[] {"UnrecognizedClientException", "unknown access key " + m.group(1)};
        }
        if (!m.group(4).equals("lambda")) return new String[] {"InvalidSignatureException", "service is not lambda"};
        List<String> signed = List.of(m.group(5).split(";"));
        if (!signed.containsAll(REQUIRED)) return new String[] {"IncompleteSignatureException", "signed headers " + signed};
        String date = ex.getRequestHeaders().getFirst("X-Amz-Date");
        Instant at = Instant.from(SigV4Signer.AMZ_DATE.parse(date));
        if (Duration.between(at, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
            return new String[] {"InvalidSignatureException", "Signature expired"};
        }
        String claimed = ex.getRequestHeaders().getFirst("X-Amz-Content-Sha256");
        String payloadHash;
        if (SigV4Signer.UNSIGNED_PAYLOAD.equals(claimed)) {
            if (!streaming(method, rawPath)) return new String[] {"InvalidSignatureException", "UNSIGNED-PAYLOAD on " + rawPath};
            payloadHash = claimed;
        } else {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            ex.setStreams(new ByteArrayInputStream(body), null);
            payloadHash = SigV4Signer.sha256Hex(body);
            if (!payloadHash.equals(claimed)) return new String[] {"InvalidSignatureException", "x-amz-content-sha256 is not the body's"};
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : signed) {
            List<String> values = ex.getRequestHeaders().get(h);
            if (values == null || values.isEmpty()) return new String[] {"IncompleteSignatureException", "signed header " + h + " missing"};
            headers.put(h, String.join(",", values));
        }
        String expected = SigV4Signer.authorization(credentials, m.group(3), m.group(4), method, rawPath,
                ex.getRequestURI().getRawQuery(), headers, payloadHash);
        if (!expected.equals(auth)) return new String[] {"InvalidSignatureException", "signature mismatch: " + auth};
        if (!seenSignatures.add(m.group(6))) return new String[] {"InvalidSignatureException", "replayed signature"};
        return null;
    }
}
