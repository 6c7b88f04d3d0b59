package io.ember.api;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /ember/v1/openapi.json}: the OpenAPI document of Ember's extensions (the Lambda MicroVMs
 * operations have their model already). Kept in the repository as a resource; a test checks it names
 * exactly the /ember/v1 routes the server registers.
 */
final class OpenApiRoutes {
    static final String PATH = "/ember/v1/openapi.json";
    static final String RESOURCE = "/openapi/ember-v1.json";

    private OpenApiRoutes() {}

    static void register(Javalin app) {
        byte[] doc = load();
        app.get(PATH, ctx -> ctx.contentType("application/json").result(doc));
    }

    static byte[] load() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
