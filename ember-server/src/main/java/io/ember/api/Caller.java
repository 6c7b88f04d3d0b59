package io.ember.api;

import io.javalin.http.Context;

/** Who sent the request, as its verified signature says. */
public record Caller(String tenantId, String accessKeyId, boolean admin) {
    static final String ATTRIBUTE = "ember.caller";

    /** The verified caller of {@code ctx}; {@link Authentication} refuses every request it cannot name one for. */
    public static Caller of(Context ctx) {
        Caller c = ctx.attribute(ATTRIBUTE);
        if (c == null) throw new IllegalStateException("no verified caller for " + ctx.method() + " " + ctx.path());
        return c;
    }

    /** AccessDeniedException unless the caller is the admin. */
    static Caller admin(Context ctx) {
        Caller c = of(ctx);
        if (!c.admin()) throw ApiException.accessDenied("only the admin tenant may manage tenants and access keys");
        return c;
    }
}
