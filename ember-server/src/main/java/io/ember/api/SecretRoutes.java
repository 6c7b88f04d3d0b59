package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.Region;
import io.ember.secrets.Secrets;
import io.ember.store.RoleRecord;
import io.ember.store.SecretRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;

/**
 * Ember's secrets and execution roles (docs/secrets.md), each scoped to the caller's tenant: another tenant's is not
 * found, exactly as a missing one. No answer ever holds a secret's value.
 */
final class SecretRoutes {
    // <name>: a secret name may hold '/', sent raw or as %2F
    private static final String SECRETS = "/ember/v1/secrets";
    private static final String ROLES = "/ember/v1/roles";

    private final Secrets secrets;
    private final Region region; // of the secret ARNs answered

    SecretRoutes(Secrets secrets, Region region) {
        this.secrets = secrets;
        this.region = region;
    }

    void register(Javalin app) {
        app.get(SECRETS, this::listSecrets);
        app.put(SECRETS + "/<name>", ctx -> {
            ObjectNode body = Json.body(ctx);
            String value = Fields.string(body, "value", true, Secrets.MAX_VALUE_BYTES);
            String description = Fields.string(body, "description", false, Secrets.MAX_DESCRIPTION);
            Json.ok(ctx, view(secrets.put(tenant(ctx), name(ctx), value, description)));
        });
        app.get(SECRETS + "/<name>", ctx -> Json.ok(ctx, view(secrets.get(tenant(ctx), name(ctx)))));
        app.delete(SECRETS + "/<name>", ctx -> {
            secrets.delete(tenant(ctx), name(ctx));
            Json.ok(ctx, Json.object());
        });
        app.get(ROLES, this::listRoles);
        app.put(ROLES + "/{name}", ctx -> {
            ObjectNode body = Json.body(ctx);
            List<String> names = Fields.strings(body, "secrets", Secrets.MAX_ROLE_SECRETS, 128);
            if (names == null) throw ApiException.validation("secrets is required (a list of secret names, may be empty)");
            String description = Fields.string(body, "description", false, Secrets.MAX_DESCRIPTION);
            Json.ok(ctx, view(secrets.putRole(tenant(ctx), ctx.pathParam("name"), names, description)));
        });
        app.get(ROLES + "/{name}", ctx -> Json.ok(ctx, view(secrets.role(tenant(ctx), ctx.pathParam("name")))));
        app.delete(ROLES + "/{name}", ctx -> {
            secrets.deleteRole(tenant(ctx), ctx.pathParam("name"));
            Json.ok(ctx, Json.object());
        });
    }

    private void listSecrets(Context ctx) {
        int limit = PageToken.maxResults(ctx);
        List<SecretRecord> page = secrets.list(tenant(ctx), PageToken.decode("secrets", ctx.queryParam("nextToken")), limit + 1);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("secrets");
        page.stream().limit(limit).forEach(s -> items.add(view(s)));
        if (page.size() > limit) out.put("nextToken", PageToken.encode("secrets", page.get(limit - 1).seq()));
        Json.ok(ctx, out);
    }

    private void listRoles(Context ctx) {
        int limit = PageToken.maxResults(ctx);
        List<RoleRecord> page = secrets.roles(tenant(ctx), PageToken.decode("roles", ctx.queryParam("nextToken")), limit + 1);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("roles");
        page.stream().limit(limit).forEach(r -> items.add(view(r)));
        if (page.size() > limit) out.put("nextToken", PageToken.encode("roles", page.get(limit - 1).seq()));
        Json.ok(ctx, out);
    }

    private static String tenant(Context ctx) {
        return Caller.of(ctx).tenantId();
    }

    private static String name(Context ctx) {
        return ctx.pathParam("name");
    }

    /** Metadata only: the record's sealed value never leaves this class. */
    private ObjectNode view(SecretRecord s) {
        ObjectNode o = Json.object();
        o.put("name", s.name());
        o.put("arn", region.secretArn(s.tenantId(), s.name()));
        if (s.description() != null) o.put("description", s.description());
        o.put("createdAt", Json.epochSeconds(s.createdAt()));
        o.put("updatedAt", Json.epochSeconds(s.updatedAt()));
        return o;
    }

    private static ObjectNode view(RoleRecord r) {
        ObjectNode o = Json.object();
        o.put("name", r.name());
        o.put("arn", Secrets.roleArn(r.tenantId(), r.name()));
        ArrayNode names = o.putArray("secrets");
        r.secrets().forEach(names::add);
        if (r.description() != null) o.put("description", r.description());
        o.put("createdAt", Json.epochSeconds(r.createdAt()));
        o.put("updatedAt", Json.epochSeconds(r.updatedAt()));
        return o;
    }
}
