package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.testing.SigningHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The method on the wire is the one served: no header nor query parameter turns a GET into a DELETE. */
class MethodOverrideApiTest {
    @TempDir Path dir;
    ApiFixture api;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        api.ok("PUT", "/ember/v1/secrets/kept", "{\"value\":\"v\"}");
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private HttpResponse<String> get(String path, String overrideHeader) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path)).GET();
        if (overrideHeader != null) b.header(overrideHeader, "DELETE"); // signed with the request, as a client would
        return api.send(b.build());
    }

    /**
     * A GET on the wire whose signature was made for DELETE (what a server that honours the override computes its
     * canonical request from), with the override header: the way the secret was deleted.
     */
    private HttpResponse<String> getSignedAsDelete(String path, String overrideHeader) throws Exception {
        HttpRequest signed = SigningHttpClient.sign(HttpRequest.newBuilder(api.uri(path)).header(overrideHeader, "DELETE")
                .DELETE().build(), SigningHttpClient.Key.admin(api.dataDir));
        HttpRequest.Builder wire = HttpRequest.newBuilder(api.uri(path)).GET();
        signed.headers().map().forEach((k, vs) -> vs.forEach(v -> wire.header(k, v)));
        try (HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return raw.send(wire.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aGetSignedAsADeleteWithTheOverrideHeaderDeletesNothing() throws Exception {
        for (String header : new String[] {"X-HTTP-Method-Override", "x-http-method-override"}) {
            HttpResponse<String> r = getSignedAsDelete("/ember/v1/secrets/kept", header);
            assertThat(r.statusCode()).as(header + ": " + r.body()).isEqualTo(403); // checked as the GET it is
            assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo("InvalidSignatureException");
        }
        assertThat(api.ok("GET", "/ember/v1/secrets/kept", null).get("name").asText()).isEqualTo("kept");
    }

    @Test
    void anOverrideHeaderOnAGetIsIgnored() {
        for (String header : new String[] {"X-HTTP-Method-Override", "x-http-method-override", "X-HTTP-Method", "X-Method-Override"}) {
            HttpResponse<String> r = get("/ember/v1/secrets/kept", header);
            assertThat(r.statusCode()).as(header + ": " + r.body()).isEqualTo(200);
            assertThat(ApiFixture.json(r).get("name").asText()).isEqualTo("kept");
        }
        assertThat(api.ok("GET", "/ember/v1/secrets", null).get("secrets")).hasSize(1);
    }

    @Test
    void aMethodQueryParameterIsIgnored() {
        for (String q : new String[] {"_method=DELETE", "_method=delete", "method=DELETE", "X-HTTP-Method-Override=DELETE"}) {
            HttpResponse<String> r = get("/ember/v1/secrets/kept?" + q, null);
            assertThat(r.statusCode()).as(q + ": " + r.body()).isEqualTo(200);
        }
        HttpResponse<String> post = api.send(HttpRequest.newBuilder(api.uri("/ember/v1/secrets?_method=GET"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).as("a POST with _method=GET is a POST (no such route)").isNotEqualTo(200);
        assertThat(api.ok("GET", "/ember/v1/secrets", null).get("secrets")).hasSize(1);
    }
}
