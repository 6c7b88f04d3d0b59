package io.ember.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Plain HTTP calls to the server, as any client of the REST API makes them. */
final class Rest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Rest() {}

    record Answer(int status, JsonNode body) {}

    static Answer postJson(EmberTestServer server, String path, String json, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint() + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        headers.forEach(b::header);
        return send(b.build());
    }

    static Answer get(EmberTestServer server, String path) {
        return send(HttpRequest.newBuilder(URI.create(server.endpoint() + path)).GET().build());
    }

    /** Through the SDK, as users do; the raw answer is checked by the official client's test. */
    static void suspend(EmberTestServer server, String id) {
        server.client().suspendMicrovm(id);
    }

    static void resume(EmberTestServer server, String id) {
        server.client().resumeMicrovm(id);
    }

    /** "TO_STATE/CAUSE" of every event of a microVM, oldest first. */
    static List<String> events(EmberTestServer server, String id) {
        Answer a = get(server, "/ember/v1/microvms/" + id + "/events");
        List<String> out = new ArrayList<>();
        for (JsonNode e : a.body().path("events")) out.add(e.path("toState").asText() + "/" + e.path("cause").asText());
        return out;
    }

    private static Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
