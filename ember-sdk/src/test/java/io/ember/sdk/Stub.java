package io.ember.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server speaking Ember's wire format, one handler per "METHOD rawPath". Shared with
 * the CLI's tests through this module's test jar. A test class holds one per test as
 * {@code @RegisterExtension final Stub stub = Stub.started();}: it is closed, with the clients it made, after each test.
 */
public final class Stub implements AutoCloseable, AfterEachCallback {
    /** The keys the stub accepts; {@link #client()} signs with them and the CLI's tests put them in its environment. */
    public static final Credentials CREDENTIALS = new Credentials("AKIDSTUB000000000001", "stub/secret+key=0123456789");
    /** The environment that gives the CLI the stub's keys. */
    public static final Map<String, String> ENV = Map.of("AWS_ACCESS_KEY_ID", CREDENTIALS.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", CREDENTIALS.secretAccessKey());

    public interface Handler {
        void handle(HttpExchange ex) throws Exception;
    }

    /** A request as it arrived; {@code signatureError} is null when its SigV4 signature held (or the route needs none). */
    public record Seen(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                       String signatureError) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** Request bodies kept by {@link #capture}, by "METHOD rawPath", the last one of each route. */
    public final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final SignatureCheck signatures = new SignatureCheck(CREDENTIALS);
    private final List<EmberClient> clients = new CopyOnWriteArrayList<>();

    /** A started stub, for a field initializer. */
    public static Stub started() {
        try {
            return new Stub();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Stub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", ex -> {
            String[] refused = null;
            try {
                if (!SignatureCheck.unsigned(ex.getRequestMethod(), ex.getRequestURI().getRawPath())) refused = signatures.check(ex);
            } catch (RuntimeException e) {
                refused = new String[] {"IncompleteSignatureException", e.toString()};
            }
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
                    Map.copyOf(ex.getRequestHeaders()), refused == null ? null : refused[0] + ": " + refused[1]));
            Handler h = routes.get(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
            try {
                if (refused != null) error(ex, 403, refused[0], refused[1].replace("\"", "'"));
                else if (h == null) send(ex, 599, "text/plain", "no stub route");
                else h.handle(ex);
            } catch (Exception e) {
                send(ex, 598, "text/plain", "stub handler failed: " + e);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    public Stub on(String method, String rawPath, Handler h) {
        routes.put(method + " " + rawPath, h);
        return this;
    }

    /** Answers every call to the route with this JSON. */
    public Stub json(String method, String rawPath, int status, String json) {
        return on(method, rawPath, ex -> send(ex, status, "application/json", json));
    }

    /** As {@link #json}, keeping the request's body (UTF-8) in {@link #bodies}. */
    public Stub capture(String method, String rawPath, int status, String json) {
        return on(method, rawPath, ex -> {
            bodies.put(method + " " + rawPath, new String(body(ex), StandardCharsets.UTF_8));
            send(ex, status, "application/json", json);
        });
    }

    public String bodyOf(String method, String rawPath) {
        return bodies.get(method + " " + rawPath);
    }

    /** Starts a streamed text/plain answer (a build log). */
    public static OutputStream startText(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    public static void text(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The value of query parameter {@code name} (still encoded), or null. */
    public static String query(HttpExchange ex, String name) {
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) return null;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) return kv.substring(eq + 1);
        }
        return null;
    }

    /** A client of this stub, signing with {@link #CREDENTIALS}; closed with the stub. */
    public EmberClient client() {
        return client(b -> b);
    }

    /** As {@link #client()}, its builder changed by {@code adjust} first (another endpoint form, a region). */
    public EmberClient client(java.util.function.UnaryOperator<EmberClient.Builder> adjust) {
        EmberClient c = adjust.apply(EmberClient.builder().endpoint(url()).credentials(CREDENTIALS)).build();
        clients.add(c);
        return c;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Seen last() {
        return seen.get(seen.size() - 1);
    }

    public static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    /** An error the way Ember sends one: status, X-Amzn-ErrorType, x-amzn-RequestId, {__type, message}. */
    public static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ex.getResponseHeaders().set("X-Amzn-ErrorType", type);
        ex.getResponseHeaders().set("x-amzn-RequestId", "req-" + status);
        send(ex, status, "application/json", "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    public static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        clients.forEach(EmberClient::close);
        server.stop(0);
        pool.shutdownNow();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    public static OutputStream startStream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    public static void line(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
