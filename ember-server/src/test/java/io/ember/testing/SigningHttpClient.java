package io.ember.testing;

import io.ember.auth.SigV4;
import io.ember.auth.SignedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK HttpClient that signs every request (SigV4, service "lambda") with one access key before sending it,
 * as the official clients do: each request gets a fresh invocation id, so no two signatures repeat. Bodies of
 * the streaming routes go as UNSIGNED-PAYLOAD; other bodies are read to hash them.
 */
public final class SigningHttpClient extends HttpClient {
    private static final Pattern STREAMED = Pattern.compile("PUT /ember/v1/microvms/[^/]+/files|POST /ember/v1/uploads");

    /** An access key pair. */
    public record Key(String id, String secret) {
        /** The admin's key, from the credentials file the server wrote in {@code dataDir}. */
        public static Key admin(Path dataDir) {
            try {
                String id = null, secret = null;
                for (String line : Files.readAllLines(dataDir.resolve("credentials"))) {
                    String[] kv = line.split("=", 2);
                    if (kv.length != 2) continue;
                    if (kv[0].strip().equals("aws_access_key_id")) id = kv[1].strip();
                    if (kv[0].strip().equals("aws_secret_access_key")) secret = kv[1].strip();
                }
                return new Key(id, secret);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpClient delegate;
    private volatile Key key;

    public SigningHttpClient(HttpClient delegate, Key key) {
        this.delegate = delegate;
        this.key = key;
    }

    /** Signs with another key from now on (a test acting as another tenant). */
    public void use(Key value) {
        this.key = value;
    }

    public HttpRequest sign(HttpRequest r) {
        return sign(r, key);
    }

    public static HttpRequest sign(HttpRequest r, Key key) {
        URI uri = r.uri();
        boolean streamed = STREAMED.matcher(r.method() + " " + uri.getPath()).matches();
        byte[] body = null;
        HttpRequest.BodyPublisher publisher = r.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody());
        if (!streamed) {
            body = collect(publisher);
            publisher = HttpRequest.BodyPublishers.ofByteArray(body);
        }
        String hash = streamed ? "UNSIGNED-PAYLOAD" : SigV4.sha256Hex(body);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        r.headers().map().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
        headers.put("host", List.of(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort()));
        headers.put("x-amz-date", List.of(SigV4.amzDate(Instant.now())));
        headers.put("x-amz-content-sha256", List.of(hash));
        headers.put("amz-sdk-invocation-id", List.of(UUID.randomUUID().toString()));
        String auth = SigV4.authorization(new SignedRequest(r.method(), uri.getRawPath(), uri.getRawQuery(), headers, hash),
                key.id(), key.secret(), "local", "lambda");
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(r.method(), publisher);
        r.timeout().ifPresent(b::timeout);
        r.version().ifPresent(b::version);
        b.expectContinue(r.expectContinue());
        headers.forEach((k, vs) -> {
            if (!k.equalsIgnoreCase("host")) vs.forEach(v -> b.header(k, v));
        });
        return b.header("Authorization", auth).build();
    }

    /** Header lines (each ending CRLF, Host first) that sign a raw request whose body streams (UNSIGNED-PAYLOAD). */
    public static String streamedHeaderLines(String method, String pathAndQuery, String host, Key key) {
        URI uri = URI.create("http://" + host + pathAndQuery);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("host", List.of(host));
        headers.put("x-amz-date", List.of(SigV4.amzDate(Instant.now())));
        headers.put("x-amz-content-sha256", List.of("UNSIGNED-PAYLOAD"));
        headers.put("amz-sdk-invocation-id", List.of(UUID.randomUUID().toString()));
        String auth = SigV4.authorization(new SignedRequest(method, uri.getRawPath(), uri.getRawQuery(), headers,
                "UNSIGNED-PAYLOAD"), key.id(), key.secret(), "local", "lambda");
        StringBuilder sb = new StringBuilder();
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v.getFirst()).append("\r\n"));
        return sb.append("Authorization: ").append(auth).append("\r\n").toString();
    }

    private static byte[] collect(HttpRequest.BodyPublisher publisher) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.join();
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return delegate.send(sign(request), handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(sign(request), handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(sign(request), handler, push);
    }

    @Override public Optional<CookieHandler> cookieHandler() { return delegate.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return delegate.connectTimeout(); }
    @Override public Redirect followRedirects() { return delegate.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return delegate.proxy(); }
    @Override public SSLContext sslContext() { return delegate.sslContext(); }
    @Override public SSLParameters sslParameters() { return delegate.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return delegate.authenticator(); }
    @Override public Version version() { return delegate.version(); }
    @Override public Optional<Executor> executor() { return delegate.executor(); }
    @Override public java.net.http.WebSocket.Builder newWebSocketBuilder() { return delegate.newWebSocketBuilder(); }
    @Override public void close() { delegate.close(); }
}
