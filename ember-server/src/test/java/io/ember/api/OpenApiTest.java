package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served OpenAPI document names exactly the /ember/v1 operations the server registers: no more, no fewer. */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    @TempDir Path dir;

    @Test
    void theDocumentIsServedAndMatchesTheRegisteredExtensionRoutes() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            HttpResponse<String> r = api.send("GET", "/ember/v1/openapi.json", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            JsonNode doc = ApiFixture.JSON.readTree(r.body());
            assertThat(doc.get("openapi").asText()).isEqualTo("3.0.3");

            Set<String> documented = new TreeSet<>();
            doc.get("paths").properties().forEach(p -> p.getValue().fieldNames().forEachRemaining(
                    m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + shape(p.getKey()))));
            Set<String> registered = new TreeSet<>();
            for (String route : api.server.routes()) {
                String[] parts = route.split(" ", 2);
                if (!parts[1].startsWith("/ember/v1/")) continue;
                if (parts[0].equals("WEBSOCKET")) registered.add("GET " + shape(parts[1]));
                else if (METHODS.contains(parts[0])) registered.add(parts[0] + " " + shape(parts[1]));
            }
            assertThat(documented).isEqualTo(registered);
            doc.get("paths").properties().forEach(p -> p.getValue().properties().forEach(op ->
                    assertThat(op.getValue().has("responses")).as(op.getKey() + " " + p.getKey()).isTrue()));
        }
    }

    /**
     * A path with its parameter names blanked: {@code {id}} and {@code {microvmIdentifier}} are the same slot, and so is
     * Javalin's {@code <name>} (a parameter that may hold '/').
     */
    private static String shape(String path) {
        return path.replaceAll("\\{[^}]+}", "{}").replaceAll("<[^>]+>", "{}");
    }
}
