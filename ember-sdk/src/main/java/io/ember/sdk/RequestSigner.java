package io.ember.sdk;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Signs a {@code java.net.http} request for Ember as {@link EmberClient} does (AWS SigV4, service {@code lambda}),
 * for code that calls the HTTP API directly. It adds {@code X-Amz-Date}, {@code X-Amz-Content-Sha256}, a fresh
 * {@code Amz-Sdk-Invocation-Id} and {@code Authorization}, signing those with {@code host} and any
 * {@code Content-Type}. Sign each attempt anew: the server refuses a signature it has already seen.
 */
public final class RequestSigner {
    /** The payload hash for a streamed body; the server takes it only on the file and code upload routes. */
    public static final String UNSIGNED_PAYLOAD = SigV4Signer.UNSIGNED_PAYLOAD;

    private RequestSigner() {}

    /** The hex SHA-256 of a body, as {@code x-amz-content-sha256} carries it (an empty or null body included). */
    public static String payloadHash(byte[] body) {
        return body == null || body.length == 0 ? SigV4Signer.EMPTY_SHA256 : SigV4Signer.sha256Hex(body);
    }

    /** A signed copy of {@code request}, whose body hashes to {@code payloadHash} (or is {@link #UNSIGNED_PAYLOAD}). */
    public static HttpRequest sign(HttpRequest request, String payloadHash, Credentials credentials, String region) {
        return sign(request, payloadHash, credentials, region, Instant.now());
    }

    static HttpRequest sign(HttpRequest request, String payloadHash, Credentials credentials, String region, Instant now) {
        Objects.requireNonNull(payloadHash, "payloadHash");
        URI uri = request.uri();
        String date = SigV4Signer.amzDate(now);
        String invocationId = UUID.randomUUID().toString();
        TreeMap<String, String> signed = new TreeMap<>();
        signed.put("host", host(uri));
        signed.put("x-amz-date", date);
        signed.put("x-amz-content-sha256", payloadHash);
        signed.put("amz-sdk-invocation-id", invocationId);
        request.headers().firstValue("Content-Type").ifPresent(v -> signed.put("content-type", v));
        String authorization = SigV4Signer.authorization(credentials, region, SigV4Signer.SERVICE, request.method(),
                uri.getRawPath(), uri.getRawQuery(), signed, payloadHash);
        return HttpRequest.newBuilder(request, (name, value) -> !isSignatureHeader(name))
                .header("X-Amz-Date", date).header("X-Amz-Content-Sha256", payloadHash)
                .header("Amz-Sdk-Invocation-Id", invocationId).header("Authorization", authorization).build();
    }

    private static boolean isSignatureHeader(String name) {
        return name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("X-Amz-Date")
                || name.equalsIgnoreCase("X-Amz-Content-Sha256") || name.equalsIgnoreCase("Amz-Sdk-Invocation-Id");
    }

    /** The Host header the JDK client sends: the port only when it is not the scheme's default. */
    static String host(URI uri) {
        int port = uri.getPort();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        return port == -1 || port == (https ? 443 : 80) ? uri.getHost() : uri.getHost() + ":" + port;
    }
}
