package io.ember.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.ember.sdk.RequestSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Plain HTTP calls to the server, as any client of the REST API makes them, signed with the admin's keys. */
final class Rest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Rest() {}

    record Answer(int status, JsonNode body) {}

    static Answer postJson(EmberTestServer server, String path, String json, java.util.Map<String, String> headers) {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        headers.forEach(b::header);
        return send(signed(server, b.build(), body));
    }

    static Answer get(EmberTestServer server, String path) {
        return send(signed(server, HttpRequest.newBuilder(URI.create(server.endpoint() + path)).GET().build(), null));
    }

    /** {@code request} signed as the admin (each call signs afresh: the server refuses a replayed signature). */
    static HttpRequest signed(EmberTestServer server, HttpRequest request, byte[] body) {
        // Bodies of the streaming routes are signed as UNSIGNED-PAYLOAD, as the SDK does (docs/tenants.md).
        boolean streamed = STREAMED.matcher(request.method() + " " + request.uri().getPath()).matches();
        return RequestSigner.sign(request, streamed ? RequestSigner.UNSIGNED_PAYLOAD : RequestSigner.payloadHash(body),
                server.adminCredentials(), "local");
    }

    private static final java.util.regex.Pattern STREAMED =
            java.util.regex.Pattern.compile("PUT /ember/v1/microvms/[^/]+/files|POST /ember/v1/uploads");

    /** Through the SDK, as users do; the raw answer is checked by the official client's test. */
    static void suspend(EmberTestServer server, String id) {
        server.client().suspendMicrovm(id);
    }

    static void resume(EmberTestServer server, String id) {
        server.client().resumeMicrovm(id);
    }

    /** "TO_STATE/CAUSE" of every event of a microVM, oldest first. */
    static List<String> events(EmberTestServer server, String id) {
        List<String> out = new ArrayList<>();
        String next = null;
        do {
            Answer a = get(server, "/ember/v1/microvms/" + id + "/events?maxResults=50"
                    + (next == null ? "" : "&nextToken=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8)));
            for (JsonNode e : a.body().path("events")) out.add(e.path("toState").asText() + "/" + e.path("cause").asText());
            next = a.body().path("nextToken").asText(null);
        } while (next != null);
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
