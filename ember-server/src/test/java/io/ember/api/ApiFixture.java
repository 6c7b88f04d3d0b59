package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.testing.Assets;
import io.ember.testing.Await;
import io.ember.testing.FakeAgents;
import io.ember.testing.FakeDriver;
import io.ember.testing.SigningHttpClient;
import io.ember.vmm.Accelerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** A real server on a free loopback port over fake machines, and a JDK HTTP client signing as the admin. */
final class ApiFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final FakeDriver driver = new FakeDriver();
    final FakeAgents agents = new FakeAgents();
    final EmberServer server;
    final SigningHttpClient http;
    final Path dataDir;

    ApiFixture(Path dir) throws IOException {
        this(dir, 64);
    }

    ApiFixture(Path dir, int maxRunning) throws IOException {
        this(dir, maxRunning, c -> c);
    }

    ApiFixture(Path dir, int maxRunning, java.util.function.UnaryOperator<ServerConfig> configure) throws IOException {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data"), Assets.create(dir.resolve("assets")),
                Accelerator.TCG, "qemu-system-x86_64", maxRunning);
        server = EmberServer.start(configure.apply(config), driver, agents);
        dataDir = dir.resolve("data");
        http = new SigningHttpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                SigningHttpClient.Key.admin(dataDir));
    }

    URI uri(String path) {
        return URI.create(server.endpoint() + path);
    }

    HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    JsonNode ok(String method, String path, String body) {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() != 200) throw new AssertionError(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        return json(r);
    }

    /** Runs a busybox microVM and waits until it is RUNNING; returns its id. */
    String running() {
        return running("");
    }

    /** A busybox microVM whose shell tokens are allowed (ALL_INGRESS: application traffic and shell). */
    String runningWithShell() {
        return running(",\"ingressNetworkConnectors\":[\"" + io.ember.connector.ConnectorArn.Managed.ALL_INGRESS.arn() + "\"]");
    }

    /** {@code fields}: more RunMicrovm fields, each preceded by a comma. */
    String running(String fields) {
        String id = ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"" + fields + "}").get("microvmId").asText();
        Await.until("RUNNING", () -> ok("GET", "/2025-09-09/microvms/" + id, null).get("state").asText().equals("RUNNING"));
        return id;
    }

    @Override
    public void close() {
        agents.helloGate.countDown();
        server.close();
        http.close();
    }
}
