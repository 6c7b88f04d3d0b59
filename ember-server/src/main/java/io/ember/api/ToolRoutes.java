package io.ember.api;

import io.ember.agent.AgentException;
import io.ember.microvm.GuestLease;
import io.ember.microvm.Microvms;
import io.ember.tools.ToolOptions;
import io.ember.tools.ToolResult;
import io.ember.tools.ToolUse;
import io.ember.tools.Tools;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /ember/v1/microvms/{id}/tools}: one Anthropic client tool call (a tool_use block) run in the
 * microVM, answered with its tool_result block (docs/agents.md). Options in the query: {@code session},
 * {@code timeoutSeconds}, {@code maxCharacters}.
 */
final class ToolRoutes {
    private final Microvms microvms;
    private final Tools tools;

    ToolRoutes(Microvms microvms, Tools tools) {
        this.microvms = microvms;
        this.tools = tools;
    }

    void register(Javalin app) {
        app.post("/ember/v1/microvms/{id}/tools", this::run);
    }

    private void run(Context ctx) {
        ToolOptions opts = options(ctx);
        ToolUse use;
        try {
            use = ToolUse.parse(Json.body(ctx));
        } catch (IllegalArgumentException e) {
            throw ApiException.validation(e.getMessage());
        }
        ToolResult result;
        try (GuestLease guest = microvms.use(Caller.of(ctx).tenantId(), ctx.pathParam("id"))) {
            Map<String, String> env = new LinkedHashMap<>(ExecCall.DEFAULT_ENV);
            env.putAll(guest.environment());
            try {
                result = tools.run(guest.agent(), env, guest.microvmId(), use, opts);
            } catch (AgentException e) {
                throw AgentErrors.translate(e, guest, null);
            }
        }
        Json.ok(ctx, result.toJson());
    }

    private static ToolOptions options(Context ctx) {
        String session = ctx.queryParam("session");
        Integer timeout = Fields.queryInt(ctx.queryParam("timeoutSeconds"), "timeoutSeconds", 1, ToolOptions.MAX_TIMEOUT_SECONDS);
        Integer max = Fields.queryInt(ctx.queryParam("maxCharacters"), "maxCharacters", ToolOptions.MIN_MAX_CHARACTERS,
                ToolOptions.MAX_MAX_CHARACTERS);
        try {
            return new ToolOptions(session == null ? ToolOptions.DEFAULT_SESSION : session,
                    Duration.ofSeconds(timeout == null ? ToolOptions.DEFAULT_TIMEOUT_SECONDS : timeout),
                    max == null ? ToolOptions.DEFAULT_MAX_CHARACTERS : max);
        } catch (IllegalArgumentException e) {
            throw ApiException.validation(e.getMessage());
        }
    }
}
