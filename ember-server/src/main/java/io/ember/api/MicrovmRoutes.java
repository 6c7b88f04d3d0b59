package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.Region;
import io.ember.microvm.Action;
import io.ember.microvm.Cause;
import io.ember.microvm.IdlePolicy;
import io.ember.microvm.Microvms;
import io.ember.secrets.Secrets;
import io.ember.store.EventRecord;
import io.ember.store.MicrovmRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

/** RunMicrovm, GetMicrovm, ListMicrovms, TerminateMicrovm, SuspendMicrovm, ResumeMicrovm, and the events extension. */
final class MicrovmRoutes {
    static final String BASE = "/2025-09-09/microvms";
    static final int MAX_ID_LENGTH = 2048;

    private final Microvms microvms;
    private final BiFunction<String, String, String> endpointUrl;
    private final Secrets secrets; // null: executionRoleArn is stored unchecked
    private final Region region; // of the ARNs answered

    MicrovmRoutes(Microvms microvms, BiFunction<String, String, String> endpointUrl, Secrets secrets, Region region) {
        this.microvms = microvms;
        this.endpointUrl = endpointUrl;
        this.secrets = secrets;
        this.region = region;
    }

    void register(Javalin app) {
        app.post(BASE, this::run);
        app.get(BASE, this::list);
        app.get(BASE + "/{microvmIdentifier}", this::get);
        app.delete(BASE + "/{microvmIdentifier}", this::terminate);
        app.post(BASE + "/{microvmIdentifier}/suspend", this::suspend);
        app.post(BASE + "/{microvmIdentifier}/resume", this::resume);
    }

    /** Ember's extension header: {@code X-Ember-Launch: cold} boots the image's disk instead of resuming its snapshot. */
    static final String LAUNCH_HEADER = "X-Ember-Launch";

    private void run(Context ctx) {
        String launch = ctx.header(LAUNCH_HEADER);
        if (launch != null && !launch.equals("cold") && !launch.equals("snapshot")) {
            throw ApiException.validation(LAUNCH_HEADER + " must be 'cold' or 'snapshot', got '" + launch + "'");
        }
        Action.Run run = parseRun(Json.body(ctx), microvms.minIdleSeconds());
        String tenantId = Caller.of(ctx).tenantId();
        if (secrets != null) secrets.requireUsableRole(tenantId, run.executionRoleArn());
        MicrovmRecord r = microvms.run(tenantId, run, "cold".equals(launch));
        Json.ok(ctx, view(ctx, r));
    }

    /** SuspendMicrovm: answers the model's empty object once the microVM is SUSPENDED. */
    private void suspend(Context ctx) {
        microvms.suspend(Caller.of(ctx).tenantId(), ctx.pathParam("microvmIdentifier"));
        Json.ok(ctx, Json.object());
    }

    /** ResumeMicrovm: answers the model's empty object once the microVM is RUNNING. */
    private void resume(Context ctx) {
        microvms.resume(Caller.of(ctx).tenantId(), ctx.pathParam("microvmIdentifier"));
        Json.ok(ctx, Json.object());
    }

    /** RunMicrovmRequest: the model's fields, typed and ranged. Unknown fields are ignored. */
    static Action.Run parseRun(ObjectNode body, int minIdleSeconds) {
        String image = Constraints.identifier("imageIdentifier", Fields.string(body, "imageIdentifier", true, MAX_ID_LENGTH));
        String version = Versions.internal(Constraints.nonBlank(body, "imageVersion", false));
        if (version != null && version.length() > 64) throw ApiException.validation("imageVersion must be at most 64 characters");
        String role = Fields.string(body, "executionRoleArn", false, MAX_ID_LENGTH);
        Integer duration = Fields.integer(body, "maximumDurationInSeconds", false, 1, Action.Run.MAX_DURATION_SECONDS);
        String token = Constraints.clientToken(body);
        IdlePolicy idle = parseIdlePolicy(body, minIdleSeconds);
        String payload = Fields.string(body, "runHookPayload", false, Action.Run.MAX_RUN_HOOK_PAYLOAD_BYTES);
        if (payload != null && payload.getBytes(StandardCharsets.UTF_8).length > Action.Run.MAX_RUN_HOOK_PAYLOAD_BYTES) {
            throw ApiException.validation("runHookPayload must be at most " + Action.Run.MAX_RUN_HOOK_PAYLOAD_BYTES + " bytes (UTF-8)");
        }
        Constraints.logging(body);
        // Form checked here; what they name is resolved at run (docs/connectors.md).
        List<String> ingress = Fields.strings(body, "ingressNetworkConnectors", Constraints.MAX_CONNECTORS, MAX_ID_LENGTH);
        List<String> egress = Fields.strings(body, "egressNetworkConnectors", Constraints.MAX_CONNECTORS, MAX_ID_LENGTH);
        return new Action.Run(image, version, role, idle,
                duration == null ? Action.Run.MAX_DURATION_SECONDS : duration, token, payload, ingress, egress);
    }

    /**
     * The model's IdlePolicy: all three members required, maxIdleDurationSeconds at least 60 (AWS; an operator may
     * lower the floor), suspendedDurationSeconds at least 0 (0: terminated as soon as it is suspended).
     */
    private static IdlePolicy parseIdlePolicy(ObjectNode body, int minIdleSeconds) {
        ObjectNode p = Fields.object(body, "idlePolicy");
        if (p == null) return null;
        ObjectNode named = Fields.named("idlePolicy", p);
        return new IdlePolicy(
                Fields.integer(named, "idlePolicy.maxIdleDurationSeconds", true, minIdleSeconds, Integer.MAX_VALUE),
                Fields.integer(named, "idlePolicy.suspendedDurationSeconds", true, 0, Integer.MAX_VALUE),
                Fields.bool(named, "idlePolicy.autoResumeEnabled", true));
    }

    private void get(Context ctx) {
        Json.ok(ctx, view(ctx, microvms.get(Caller.of(ctx).tenantId(), ctx.pathParam("microvmIdentifier"))));
    }

    private void list(Context ctx) {
        String tenantId = Caller.of(ctx).tenantId();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        PageToken.pageStored(ctx, "microvms", out, (after, limit) -> microvms.list(tenantId, after, limit,
                ctx.queryParam("imageIdentifier"), Versions.internal(ctx.queryParam("imageVersion"))), MicrovmRecord::ordinal, r -> items.addObject()
                .put("microvmId", r.id()).put("state", r.state()).put("imageArn", region.render(r.imageArn()))
                .put("imageVersion", Versions.external(r.imageVersion())).put("startedAt", Json.epochSeconds(r.startedAt()))
                .setAll(connectors(r)));
        Json.ok(ctx, out);
    }

    private void terminate(Context ctx) {
        microvms.terminate(Caller.of(ctx).tenantId(), new Action.Terminate(ctx.pathParam("microvmIdentifier"), Cause.USER));
        Json.ok(ctx, Json.object());
    }

    /** RunMicrovmResponse / GetMicrovmResponse. */
    private ObjectNode view(Context ctx, MicrovmRecord r) {
        ObjectNode o = Json.object();
        o.put("microvmId", r.id());
        o.put("state", r.state());
        o.put("endpoint", endpointUrl.apply(r.id(), callerHost(ctx)));
        o.put("imageArn", region.render(r.imageArn()));
        o.put("imageVersion", Versions.external(r.imageVersion()));
        if (r.executionRoleArn() != null) o.put("executionRoleArn", r.executionRoleArn());
        IdlePolicy idle = Microvms.idlePolicy(r);
        if (idle != null) {
            ObjectNode p = o.putObject("idlePolicy");
            p.put("maxIdleDurationSeconds", idle.maxIdleDurationSeconds());
            p.put("suspendedDurationSeconds", idle.suspendedDurationSeconds());
            p.put("autoResumeEnabled", idle.autoResumeEnabled());
        }
        o.put("maximumDurationInSeconds", r.maximumDurationSeconds());
        o.put("startedAt", Json.epochSeconds(r.startedAt()));
        if (r.terminatedAt() != null) o.put("terminatedAt", Json.epochSeconds(r.terminatedAt()));
        if (r.stateReason() != null) o.put("stateReason", r.stateReason());
        o.setAll(connectors(r));
        return o;
    }

    /** The connectors the microVM was run with, as the model names them, in this server's region. */
    private ObjectNode connectors(MicrovmRecord r) {
        ObjectNode o = Json.object();
        region.render(r.ingressNetworkConnectors()).forEach(o.putArray("ingressNetworkConnectors")::add);
        region.render(r.egressNetworkConnectors()).forEach(o.putArray("egressNetworkConnectors")::add);
        return o;
    }

    /** The host name (no port) the caller reached this server by: the endpoint is on the same host. */
    private static String callerHost(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !host.matches("[A-Za-z0-9.:\\[\\]-]{1,255}")) return ctx.req().getLocalAddr();
        if (host.startsWith("[")) return host.substring(0, host.indexOf(']') + 1);
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
