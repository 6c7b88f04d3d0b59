package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.microvm.Microvms;
import io.ember.store.TenantEvent;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * Ember extension: events, paged oldest first. Of one microVM ({@code /ember/v1/microvms/{id}/events}), or of
 * the caller's whole tenant ({@code /ember/v1/events}, optionally {@code microvmId}), where requests refused
 * before any microVM existed (a quota) appear too.
 */
final class EventRoutes {
    private final Microvms microvms;

    EventRoutes(Microvms microvms) {
        this.microvms = microvms;
    }

    void register(Javalin app) {
        app.get("/ember/v1/microvms/{microvmIdentifier}/events", ctx -> page(ctx, ctx.pathParam("microvmIdentifier")));
        app.get("/ember/v1/events", ctx -> {
            String id = ctx.queryParam("microvmId");
            if (id != null && (id.isEmpty() || id.length() > MicrovmRoutes.MAX_ID_LENGTH)) {
                throw ApiException.validation("microvmId must be 1.." + MicrovmRoutes.MAX_ID_LENGTH + " characters");
            }
            page(ctx, id);
        });
    }

    private void page(Context ctx, String microvmIdentifier) {
        String tenantId = Caller.of(ctx).tenantId();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("events");
        PageToken.pageStored(ctx, "events", out, (after, limit) -> microvms.events(tenantId, microvmIdentifier, after, limit),
                TenantEvent::seq, e -> items.add(view(e)));
        Json.ok(ctx, out);
    }

    static ObjectNode view(TenantEvent e) {
        ObjectNode item = Json.object().put("at", Json.epochSeconds(e.at()));
        if (e.microvmId() != null) item.put("microvmId", e.microvmId());
        item.put("type", type(e));
        if (e.fromState() != null) item.put("fromState", e.fromState());
        if (e.toState() != null) item.put("toState", e.toState());
        item.put("cause", e.cause());
        if (e.message() != null) item.put("message", e.message());
        return item;
    }

    /** TRANSITION (a state change), HOOK (a hook's outcome), REFUSED (a request a quota or the host's capacity refused). */
    private static String type(TenantEvent e) {
        if (e.cause().equals("QUOTA") || e.cause().equals("CAPACITY")) return "REFUSED";
        if (e.cause().equals("HOOK")) return "HOOK";
        return "TRANSITION";
    }
}
