package io.ember.api;

import io.ember.agent.Terminal;
import io.ember.endpoint.AccessDenied;
import io.ember.endpoint.AuthTokens;
import io.ember.microvm.Microvms;
import io.ember.store.MicrovmRecord;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /ember/v1/microvms/{id}/shell}: an interactive shell on a terminal, over a WebSocket (docs/api.md).
 * Everything that can be refused is refused before the upgrade, as a typed JSON error; the shell itself
 * starts once the socket is open ({@link ShellSession}).
 */
final class ShellRoutes {
    static final String PATH = "/ember/v1/microvms/{microvmIdentifier}/shell";
    /** Browsers cannot set headers on a WebSocket: they offer the token as the subprotocol {@code ember-shell.token.<token>}. */
    static final String TOKEN_PROTOCOL = "ember-shell.token.";
    static final int MAX_COMMAND_BYTES = 64 * 1024;
    private static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";
    private static final String REQUEST = "ember.shell.request";

    private final Microvms microvms;
    private final AuthTokens tokens;
    private final Map<String, ShellSession> open = new ConcurrentHashMap<>();

    ShellRoutes(Microvms microvms, AuthTokens tokens) {
        this.microvms = microvms;
        this.tokens = tokens;
    }

    /** What the upgrade request asked for, checked. {@code command} null = the guest's login shell. */
    record ShellRequest(String microvmId, Terminal size, String command) {}

    void register(Javalin app) {
        app.wsBeforeUpgrade(PATH, this::beforeUpgrade);
        app.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                ShellSession s = new ShellSession(microvms, ctx.attribute(REQUEST), ctx);
                open.put(ctx.sessionId(), s);
                s.start();
            });
            ws.onBinaryMessage(ctx -> with(ctx, s -> s.input(ctx.data(), ctx.offset(), ctx.length())));
            ws.onMessage(ctx -> with(ctx, s -> s.control(ctx.message())));
            ws.onClose(ctx -> end(ctx));
            ws.onError(ctx -> end(ctx));
        });
    }

    private void with(WsContext ctx, java.util.function.Consumer<ShellSession> action) {
        ShellSession s = open.get(ctx.sessionId());
        if (s != null) action.accept(s);
    }

    /** The socket is gone: the shell's process is killed (CANCEL) and its lease on the guest released. */
    private void end(WsContext ctx) {
        ShellSession s = open.remove(ctx.sessionId());
        if (s != null) s.end();
    }

    /**
     * Refusals are written here: on this path Javalin runs the exception handlers but never writes their result, and
     * the upgrade is a handler that {@code skipRemainingHandlers} removes.
     */
    private void beforeUpgrade(Context ctx) throws java.io.IOException {
        try {
            check(ctx);
        } catch (Exception e) {
            ApiException api = ErrorMapper.translate(e, ctx);
            ObjectNode body = Json.object().put("__type", api.type()).put("message", api.getMessage());
            api.fields().forEach(body::put);
            byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
            ctx.skipRemainingHandlers();
            ctx.res().setStatus(api.status());
            ctx.res().setContentType("application/json");
            ctx.res().setHeader(ErrorMapper.ERROR_TYPE_HEADER, api.type());
            ctx.res().setContentLength(bytes.length);
            ctx.res().getOutputStream().write(bytes);
            ctx.res().flushBuffer();
        }
    }

    private void check(Context ctx) {
        MicrovmRecord r = microvms.get(ctx.pathParam("microvmIdentifier"));
        try {
            tokens.checkShell(token(ctx), r.id());
        } catch (AccessDenied e) {
            throw ApiException.accessDenied(e.getMessage());
        }
        if (r.state().equals("TERMINATING") || r.state().equals("TERMINATED")) {
            throw ApiException.conflict("microVM " + r.id() + " is " + r.state(), "Microvm", r.id());
        }
        Integer rows = Fields.queryInt(ctx.queryParam("rows"), "rows", 1, Terminal.MAX);
        Integer cols = Fields.queryInt(ctx.queryParam("cols"), "cols", 1, Terminal.MAX);
        String command = ctx.queryParam("command");
        if (command != null && (command.isBlank() || command.indexOf('\0') >= 0
                || command.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_COMMAND_BYTES)) {
            throw ApiException.validation("command must be 1 to " + MAX_COMMAND_BYTES + " bytes of shell, without NUL");
        }
        ctx.attribute(REQUEST, new ShellRequest(r.id(), new Terminal(rows == null ? 24 : rows, cols == null ? 80 : cols),
                command));
    }

    /** The {@code X-aws-proxy-auth} header, else the token subprotocol, which is then the one the answer accepts. */
    private static String token(Context ctx) {
        String header = ctx.header(AuthTokens.HEADER);
        if (header != null) return header;
        String offered = ctx.header(SUBPROTOCOL_HEADER);
        if (offered == null) return null;
        for (String p : offered.split(",", 16)) {
            String protocol = p.trim();
            if (protocol.startsWith(TOKEN_PROTOCOL)) {
                ctx.header(SUBPROTOCOL_HEADER, protocol);
                return protocol.substring(TOKEN_PROTOCOL.length());
            }
        }
        return null;
    }
}
