package io.ember.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.Region;
import io.ember.connector.ConnectorException;
import io.ember.connector.NetworkConnectors;
import io.ember.store.ConnectorRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Ember's counterpart of lambda-core's Create/Get/List/Update/DeleteNetworkConnector (docs/connectors.md), scoped to the
 * caller's tenant. The identifier in a path is the connector's id, name or ARN.
 */
final class NetworkConnectorRoutes {
    static final String BASE = "/ember/v1/network-connectors";
    private static final int MAX_ROLE = 2048;

    private final NetworkConnectors connectors;
    private final Region region; // of the ARNs answered

    NetworkConnectorRoutes(NetworkConnectors connectors, Region region) {
        this.connectors = connectors;
        this.region = region;
    }

    /** ConnectorException's HTTP form; RunMicrovm's refusals of its connectors come this way too. */
    static void registerErrors(Javalin app) {
        app.exception(ConnectorException.class, (e, ctx) -> ErrorMapper.send(ctx, translate(e)));
    }

    static ApiException translate(ConnectorException e) {
        return switch (e.kind()) {
            case INVALID -> ApiException.validation(e.getMessage());
            case NOT_FOUND -> ApiException.notFound(e.getMessage(), "NetworkConnector", e.resourceId());
            case CONFLICT -> ApiException.conflict(e.getMessage(), "NetworkConnector", e.resourceId());
        };
    }

    void register(Javalin app) {
        app.post(BASE, this::create);
        app.get(BASE, this::list);
        app.get(BASE + "/{networkConnectorIdentifier}", ctx -> Json.ok(ctx, view(connectors.get(tenant(ctx), identifier(ctx)))));
        app.put(BASE + "/{networkConnectorIdentifier}", this::update);
        app.delete(BASE + "/{networkConnectorIdentifier}", ctx -> Json.ok(ctx, view(connectors.delete(tenant(ctx), identifier(ctx)))));
    }

    private void create(Context ctx) {
        ObjectNode body = Json.body(ctx);
        String name = Fields.string(body, "name", true, 64);
        JsonNode configuration = body.get("configuration");
        if (configuration == null || configuration.isNull()) throw ApiException.validation("configuration is required");
        String role = Fields.string(body, "operatorRole", false, MAX_ROLE);
        String token = Fields.string(body, "clientToken", false, 64);
        Map<String, String> tags = Fields.stringMap(body, "tags", NetworkConnectors.MAX_TAGS, 256);
        Json.send(ctx, 201, view(connectors.create(tenant(ctx), name, configuration, role, token, tags)));
    }

    private void update(Context ctx) {
        ObjectNode body = Json.body(ctx);
        JsonNode configuration = body.get("configuration");
        String role = Fields.string(body, "operatorRole", false, MAX_ROLE);
        if ((configuration == null || configuration.isNull()) && role == null)
            throw ApiException.validation("nothing to update: give configuration and/or operatorRole");
        Json.ok(ctx, view(connectors.update(tenant(ctx), identifier(ctx),
                configuration == null || configuration.isNull() ? null : configuration, role)));
    }

    private void list(Context ctx) {
        String tenantId = tenant(ctx);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("networkConnectors");
        PageToken.pageStored(ctx, "network-connectors", out, (after, limit) -> connectors.list(tenantId, after, limit),
                ConnectorRecord::ordinal, r -> items.add(view(r)));
        Json.ok(ctx, out);
    }

    /** lambda-core's NetworkConnector shape, with Ember's configuration. */
    ObjectNode view(ConnectorRecord r) {
        ObjectNode o = Json.object();
        o.put("networkConnectorArn", region.render(NetworkConnectors.arn(r)));
        o.put("networkConnectorId", r.id());
        o.put("name", r.name());
        o.put("state", r.state());
        if (r.stateReason() != null) o.put("stateReason", r.stateReason());
        o.set("configuration", tree(r.configurationJson()));
        if (r.operatorRole() != null) o.put("operatorRole", r.operatorRole());
        if (r.tagsJson() != null) o.set("tags", tree(r.tagsJson()));
        o.put("createdAt", Json.epochSeconds(r.createdAt()));
        o.put("lastModified", Json.epochSeconds(r.updatedAt()));
        return o;
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw ApiException.internal("a stored network connector does not read back: " + e.getOriginalMessage());
        }
    }

    private static String tenant(Context ctx) {
        return Caller.of(ctx).tenantId();
    }

    private static String identifier(Context ctx) {
        return ctx.pathParam("networkConnectorIdentifier");
    }
}
