package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.endpoint.AuthTokens;
import io.ember.endpoint.PortRange;
import io.ember.microvm.Microvms;
import io.ember.store.MicrovmRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** CreateMicrovmAuthToken (the endpoint's X-aws-proxy-auth) and CreateMicrovmShellAuthToken. */
final class AuthTokenRoutes {
    private static final int MAX_PORT_SPECS = 64;

    private final Microvms microvms;
    private final AuthTokens tokens;
    private final io.ember.arn.Region region; // of the ARNs in messages

    AuthTokenRoutes(Microvms microvms, AuthTokens tokens, io.ember.arn.Region region) {
        this.microvms = microvms;
        this.tokens = tokens;
        this.region = region;
    }

    void register(Javalin app) {
        app.post(MicrovmRoutes.BASE + "/{microvmIdentifier}/auth-token", this::endpointToken);
        app.post(MicrovmRoutes.BASE + "/{microvmIdentifier}/shell-auth-token", this::shellToken);
    }

    private void endpointToken(Context ctx) {
        ObjectNode body = Json.body(ctx);
        Duration lifetime = lifetime(body);
        List<PortRange> ports = ports(body);
        MicrovmRecord r = reachable(ctx);
        if (!r.ingress().application()) {
            throw ApiException.validation("microVM " + r.id() + " was run without an ingress network connector that lets "
                    + "application traffic in (HTTP_INGRESS or ALL_INGRESS), so its endpoint serves none");
        }
        Json.ok(ctx, answer(tokens.issueEndpoint(r.id(), ports, lifetime)));
    }

    private void shellToken(Context ctx) {
        ObjectNode body = Json.body(ctx);
        Duration lifetime = lifetime(body);
        MicrovmRecord r = reachable(ctx);
        if (!r.ingress().shell()) { // AWS: ValidationException when the microVM was run without SHELL_INGRESS
            throw ApiException.validation("microVM " + r.id() + " was not run with the SHELL_INGRESS network connector ("
                    + io.ember.connector.ConnectorArn.Managed.SHELL_INGRESS.arn(region) + ")");
        }
        Json.ok(ctx, answer(tokens.issueShell(r.id(), lifetime)));
    }

    /** A token for a microVM that has ended could never be used: say so now rather than at the first request. */
    private MicrovmRecord reachable(Context ctx) {
        MicrovmRecord r = microvms.get(Caller.of(ctx).tenantId(), ctx.pathParam("microvmIdentifier"));
        if (r.state().equals("TERMINATING") || r.state().equals("TERMINATED")) {
            throw ApiException.conflict("microVM " + r.id() + " is " + r.state(), "Microvm", r.id());
        }
        return r;
    }

    private static ObjectNode answer(String token) {
        ObjectNode o = Json.object();
        o.putObject("authToken").put(AuthTokens.HEADER, token);
        return o;
    }

    private static Duration lifetime(ObjectNode body) {
        int minutes = Fields.integer(body, "expirationInMinutes", true, 1, (int) AuthTokens.MAX_LIFETIME.toMinutes());
        return Duration.ofMinutes(minutes);
    }

    /** The model's PortSpecification union: exactly one of port, range {startPort, endPort} or allPorts {}. */
    static List<PortRange> ports(ObjectNode body) {
        JsonNode list = body.get("allowedPorts");
        if (list == null || list.isNull()) throw ApiException.validation("allowedPorts is required");
        if (!list.isArray()) throw ApiException.validation("allowedPorts must be a list");
        if (list.isEmpty()) throw ApiException.validation("allowedPorts must have at least 1 item");
        if (list.size() > MAX_PORT_SPECS) throw ApiException.validation("allowedPorts must have at most " + MAX_PORT_SPECS + " items");
        List<PortRange> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String name = "allowedPorts[" + i + "]";
            if (!(list.get(i) instanceof ObjectNode spec)) throw ApiException.validation(name + " must be an object");
            List<String> members = new ArrayList<>();
            spec.fieldNames().forEachRemaining(f -> {
                if (!spec.get(f).isNull() && List.of("port", "range", "allPorts").contains(f)) members.add(f);
            });
            if (members.size() != 1) {
                throw ApiException.validation(name + " must set exactly one of port, range, allPorts");
            }
            ObjectNode named = Fields.named(name, spec);
            switch (members.get(0)) {
                case "port" -> out.add(PortRange.of(Fields.integer(named, name + ".port", true, 1, 65_535)));
                case "allPorts" -> {
                    Fields.object(named, name + ".allPorts");
                    out.add(PortRange.ALL);
                }
                default -> {
                    ObjectNode r = Fields.named(name + ".range", Fields.object(named, name + ".range"));
                    int start = Fields.integer(r, name + ".range.startPort", true, 1, 65_535);
                    int end = Fields.integer(r, name + ".range.endPort", true, 1, 65_535);
                    if (start > end) throw ApiException.validation(name + ".range.startPort must not exceed endPort");
                    out.add(new PortRange(start, end));
                }
            }
        }
        return out;
    }
}
