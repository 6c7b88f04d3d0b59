package io.ember.api;

import io.javalin.Javalin;

/** {@code GET /ember/v1/health}. */
final class HealthRoutes {
    static final String VERSION = "0.1.0";

    private HealthRoutes() {}

    /** {@code region}: the one in the ARNs this server answers (unsigned: a client may read it before it signs). */
    static void register(Javalin app, io.ember.arn.Region region) {
        app.get("/ember/v1/health", ctx -> {
            var body = Json.object();
            body.put("status", "ok");
            body.put("version", VERSION);
            body.put("region", region.name());
            Json.ok(ctx, body);
        });
    }
}
