package io.ember.api;

import io.javalin.Javalin;

/** {@code GET /ember/v1/health}. */
final class HealthRoutes {
    static final String VERSION = "0.1.0";

    private HealthRoutes() {}

    static void register(Javalin app) {
        app.get("/ember/v1/health", ctx -> {
            var body = Json.object();
            body.put("status", "ok");
            body.put("version", VERSION);
            Json.ok(ctx, body);
        });
    }
}
