package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.tenant.AccessKey;
import io.ember.tenant.NewAccessKey;
import io.ember.tenant.Quotas;
import io.ember.tenant.Tenant;
import io.ember.tenant.Tenants;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;

/**
 * Ember extension: tenants and their access keys, managed by the admin tenant only; and {@code whoami} for
 * any caller. A key's secret is in the answer that creates it and nowhere else.
 */
final class TenantRoutes {
    static final String BASE = "/ember/v1/tenants";
    private static final List<String> QUOTA_FIELDS = List.of("maxRunningMicrovms", "maxRunningVcpus", "maxRunningMemoryInMiB",
            "maxSuspendedMicrovms", "maxSuspendedBytes", "requestsPerSecond", "requestBurst", "maxUploads", "maxUploadBytes");
    private final Tenants tenants;
    private final Quotas defaults;
    private final io.ember.arn.Region region; // whoami names it: the one in the caller's ARNs

    TenantRoutes(Tenants tenants, Quotas defaults, io.ember.arn.Region region) {
        this.tenants = tenants;
        this.defaults = defaults;
        this.region = region;
    }

    void register(Javalin app) {
        app.get("/ember/v1/whoami", this::whoami);
        app.post(BASE, this::create);
        app.get(BASE, this::list);
        app.get(BASE + "/{tenantId}", ctx -> {
            Caller.admin(ctx);
            Json.ok(ctx, view(tenants.get(ctx.pathParam("tenantId"))));
        });
        app.patch(BASE + "/{tenantId}", ctx -> {
            Caller.admin(ctx);
            Quotas q = quotas(Json.body(ctx));
            Json.ok(ctx, view(tenants.setQuotas(ctx.pathParam("tenantId"), q)));
        });
        app.delete(BASE + "/{tenantId}", ctx -> {
            Caller.admin(ctx);
            tenants.delete(ctx.pathParam("tenantId"));
            Json.ok(ctx, Json.object());
        });
        app.post(BASE + "/{tenantId}/access-keys", this::createKey);
        app.get(BASE + "/{tenantId}/access-keys", this::keys);
        app.delete(BASE + "/{tenantId}/access-keys/{accessKeyId}", ctx -> {
            Caller.admin(ctx);
            tenants.revokeKey(ctx.pathParam("tenantId"), ctx.pathParam("accessKeyId"));
            Json.ok(ctx, Json.object());
        });
    }

    private void whoami(Context ctx) {
        Caller c = Caller.of(ctx);
        Tenant t = tenants.get(c.tenantId());
        // the tenant's id is its account id, the one in its ARNs (arn:aws:lambda:<region>:<accountId>:...)
        Json.ok(ctx, Json.object().put("tenantId", t.id()).put("accountId", t.id()).put("region", region.name())
                .put("name", t.name()).put("accessKeyId", c.accessKeyId()).put("admin", t.admin()));
    }

    private void create(Context ctx) {
        Caller.admin(ctx);
        ObjectNode body = Json.body(ctx);
        String name = Fields.string(body, "name", true, 63);
        Json.ok(ctx, view(tenants.create(name, quotas(body))));
    }

    private void list(Context ctx) {
        Caller.admin(ctx);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("tenants");
        PageToken.pageStored(ctx, "tenants", out, tenants::list, Tenant::ordinal, t -> items.add(view(t)));
        Json.ok(ctx, out);
    }

    private void createKey(Context ctx) {
        Caller.admin(ctx);
        NewAccessKey k = tenants.createKey(ctx.pathParam("tenantId"));
        Json.ok(ctx, Json.object().put("accessKeyId", k.id()).put("secretAccessKey", k.secret()).put("status", "ACTIVE")
                .put("tenantId", k.tenantId()).put("createdAt", Json.epochSeconds(k.createdAt())));
    }

    private void keys(Context ctx) {
        Caller.admin(ctx);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("accessKeys");
        for (AccessKey k : tenants.keys(ctx.pathParam("tenantId"))) {
            ObjectNode item = items.addObject().put("accessKeyId", k.id()).put("status", k.status())
                    .put("createdAt", Json.epochSeconds(k.createdAt()));
            if (k.lastUsedAt() != null) item.put("lastUsedAt", Json.epochSeconds(k.lastUsedAt()));
        }
        Json.ok(ctx, out);
    }

    /** The request's {@code quotas}: each field optional (absent or null: the server's default). */
    private static Quotas quotas(ObjectNode body) {
        ObjectNode q = Fields.object(body, "quotas");
        if (q == null) return Quotas.NONE;
        ObjectNode n = Fields.named("quotas", q);
        for (String field : q.properties().stream().map(java.util.Map.Entry::getKey).toList()) {
            if (!QUOTA_FIELDS.contains(field)) {
                throw ApiException.validation("quotas." + field + " is not a quota (" + String.join(", ", QUOTA_FIELDS) + ")");
            }
        }
        return new Quotas(Fields.integer(n, "quotas.maxRunningMicrovms", false, 0, 100_000),
                Fields.integer(n, "quotas.maxRunningVcpus", false, 0, 1_000_000),
                Fields.integer(n, "quotas.maxRunningMemoryInMiB", false, 0, Integer.MAX_VALUE),
                Fields.integer(n, "quotas.maxSuspendedMicrovms", false, 0, 1_000_000),
                Fields.longInteger(n, "quotas.maxSuspendedBytes", false, 0, Long.MAX_VALUE),
                Fields.integer(n, "quotas.requestsPerSecond", false, 1, 1_000_000),
                Fields.integer(n, "quotas.requestBurst", false, 1, 10_000_000),
                Fields.integer(n, "quotas.maxUploads", false, 0, 100_000),
                Fields.longInteger(n, "quotas.maxUploadBytes", false, 0, Long.MAX_VALUE));
    }

    private ObjectNode view(Tenant t) {
        ObjectNode o = Json.object().put("tenantId", t.id()).put("name", t.name()).put("admin", t.admin())
                .put("createdAt", Json.epochSeconds(t.createdAt()));
        Quotas q = tenants.effectiveQuotas(t.id(), defaults);
        ObjectNode view = o.putObject("quotas").put("maxRunningMicrovms", q.maxRunningMicrovms())
                .put("maxRunningVcpus", q.maxRunningVcpus()).put("maxRunningMemoryInMiB", q.maxRunningMemoryInMiB())
                .put("maxSuspendedMicrovms", q.maxSuspendedMicrovms()).put("maxSuspendedBytes", q.maxSuspendedBytes())
                .put("maxUploads", q.maxUploads()).put("maxUploadBytes", q.maxUploadBytes());
        if (q.requestsPerSecond() != null) view.put("requestsPerSecond", q.requestsPerSecond()).put("requestBurst", q.requestBurst());
        return o;
    }
}
