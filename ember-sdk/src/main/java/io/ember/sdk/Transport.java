package io.ember.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.StringJoiner;

/**
 * HTTP plumbing: request building, JSON in and out, SigV4 signing of every control-API request (signed
 * afresh at each send, so a retry never repeats a signature the server's replay guard has seen), and
 * turning error answers into exceptions.
 */
final class Transport implements AutoCloseable {
    private static final int MAX_ERROR_BODY = 1 << 20;

    private final HttpClient http;
    private final String base;
    private final Duration connectTimeout, requestTimeout;
    private final CredentialsProvider credentialsProvider;
    private final String region;
    private volatile Credentials credentials;

    Transport(URI endpoint, Duration connectTimeout, Duration requestTimeout, CredentialsProvider credentialsProvider,
              String region) {
        String s = endpoint.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.credentialsProvider = credentialsProvider;
        this.region = region;
        // HTTP/1.1: streamed bodies both ways, no h2c upgrade dance with the server.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    /** A request to {@code path} (already encoded, with its query); streaming calls set no overall timeout. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    /** A WebSocket to {@code path} (already encoded, with its query), answering a typed error if refused. */
    Shell shell(String path, String token, ShellListener listener) {
        URI uri = URI.create((base.startsWith("https:") ? "wss:" : "ws:") + base.substring(base.indexOf(':') + 1) + path);
        return Shell.open(http, uri, token, connectTimeout, listener);
    }

    /** A JSON call bounded by the request timeout; {@code body} may be null, {@code type} Void. */
    <T> T call(String method, String path, Object body, Class<T> type) {
        HttpRequest.Builder b = request(path).timeout(requestTimeout).header("Accept", "application/json");
        String payloadHash = SigV4Signer.EMPTY_SHA256;
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes = json(body);
            payloadHash = SigV4Signer.sha256Hex(bytes);
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        HttpResponse<InputStream> r = open(b.build(), payloadHash);
        try (InputStream in = r.body()) {
            if (type == Void.class) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return null;
            }
            return Json.MAPPER.readValue(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #open(HttpRequest, String)} for a request without a body. */
    HttpResponse<InputStream> open(HttpRequest request) {
        // Signing an empty hash over a body would be refused by the server as a mismatch: say so here instead.
        if (request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L) != 0) {
            throw new IllegalArgumentException("a request with a body is opened with its payload hash");
        }
        return open(request, SigV4Signer.EMPTY_SHA256);
    }

    /**
     * Signs (with {@code payloadHash}: the body's hex SHA-256, or {@link SigV4Signer#UNSIGNED_PAYLOAD} for a
     * streamed body), sends and returns a 2xx answer with its body unread; anything else is thrown as its typed error.
     */
    HttpResponse<InputStream> open(HttpRequest request, String payloadHash) {
        HttpResponse<InputStream> r;
        try {
            r = http.send(sign(request, payloadHash), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while calling " + request.uri()));
        }
        if (r.statusCode() / 100 == 2) return r;
        byte[] errorBody;
        try (InputStream in = r.body()) {
            errorBody = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            errorBody = new byte[0];
        }
        throw Errors.fromResponse(r.statusCode(), r.headers().firstValue("X-Amzn-ErrorType"),
                r.headers().firstValue("x-amzn-RequestId").orElse(null), errorBody);
    }

    /** The request with its signature headers; health and the OpenAPI document are open to all and go unsigned. */
    HttpRequest sign(HttpRequest request, String payloadHash) {
        String path = request.uri().getRawPath();
        if (path.equals("/ember/v1/health") || path.equals("/ember/v1/openapi.json")) return request;
        return RequestSigner.sign(request, payloadHash, credentials(), region);
    }

    private Credentials credentials() {
        Credentials c = credentials;
        if (c == null) {
            synchronized (this) {
                c = credentials;
                if (c == null) credentials = c = java.util.Objects.requireNonNull(credentialsProvider.resolve(), "credentials");
            }
        }
        return c;
    }

    static byte[] json(Object body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One path segment, encoded as the AWS SDKs do (an ARN's {@code :} and {@code /} included). */
    static String segment(String value) {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("identifier is empty");
        return encode(value);
    }

    /** {@code ?k=v&...} from name/value pairs, leaving out null values; empty when none remain. */
    static String query(Object... pairs) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) q.add(pairs[i] + "=" + encode(pairs[i + 1].toString()));
        }
        return q.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.shutdown();
        try {
            if (!http.awaitTermination(Duration.ofSeconds(2))) http.shutdownNow();
        } catch (InterruptedException e) {
            http.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
