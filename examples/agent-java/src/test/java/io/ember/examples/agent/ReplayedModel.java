package io.ember.examples.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stand-in for the Messages API on loopback: each {@code POST /v1/messages} is answered with the next recorded
 * response (JSON files, in order), and the request is kept so that a test can check what the loop sent the model
 * (its tools, its tool results, its key header). Point the SDK's base URL at {@link #baseUrl()}.
 */
final class ReplayedModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the loop sent: the body and its credential headers (x-api-key, or authorization for a bearer token). */
    record Request(JsonNode body, String apiKey, String authorization) {
        /** Whether the request carries {@code key} (values are not printed: a failing check names no credential). */
        boolean carries(String key) {
            return key.equals(apiKey) || ("Bearer " + key).equals(authorization);
        }

        @Override
        public String toString() {
            return "Request" + body;
        }
    }

    private final HttpServer http;
    private final List<String> responses;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    ReplayedModel(String resourceDir, int count) throws IOException {
        responses = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = String.format("/%s/%02d.json", resourceDir, i);
            try (InputStream in = ReplayedModel.class.getResourceAsStream(name)) {
                if (in == null) throw new IllegalArgumentException("no recorded response " + name);
                responses.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::handle);
        http.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals("/v1/messages")) {
                answer(ex, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no such route\"}}");
                return;
            }
            int index;
            synchronized (requests) {
                requests.add(new Request(JSON.readTree(body), ex.getRequestHeaders().getFirst("x-api-key"),
                        ex.getRequestHeaders().getFirst("authorization")));
                index = requests.size() - 1;
            }
            if (index >= responses.size()) {
                answer(ex, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                        + "\"the recording has no response " + (index + 1) + "\"}}");
                return;
            }
            answer(ex, 200, responses.get(index));
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("request-id", "req_replayed");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
