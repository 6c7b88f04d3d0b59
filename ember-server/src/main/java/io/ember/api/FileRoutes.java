package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;
import io.ember.agent.FileStat;
import io.ember.agent.GuestAgent;
import io.ember.microvm.GuestLease;
import io.ember.microvm.Microvms;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;

/**
 * The files extension. Bodies stream both ways between the HTTP connection and the agent
 * channel; a file is never held whole in memory, whatever its size.
 */
final class FileRoutes {
    private static final String BASE = "/ember/v1/microvms/{id}/files";
    private static final int DEFAULT_MODE = 0644;

    private final Microvms microvms;

    FileRoutes(Microvms microvms) {
        this.microvms = microvms;
    }

    void register(Javalin app) {
        app.put(BASE, this::upload);
        app.get(BASE, this::download);
        app.delete(BASE, this::remove);
        app.get(BASE + "/stat", this::stat);
        app.get(BASE + "/list", this::list);
        app.post(BASE + "/mkdir", this::mkdir);
    }

    private void upload(Context ctx) throws IOException {
        String path = GuestPaths.resolve(ctx.queryParam("path"), "path");
        int mode = mode(ctx.queryParam("mode"));
        Streams.Counting body = new Streams.Counting(ctx.req().getInputStream());
        try (GuestLease guest = microvms.use(Caller.of(ctx).tenantId(), id(ctx))) {
            try {
                guest.agent().writeFile(path, mode, body);
            } catch (AgentException e) {
                if (body.failure != null) {
                    throw ApiException.validation("the upload body ended early (" + body.failure.getMessage() + ")");
                }
                throw AgentErrors.translate(e, guest, path);
            }
        }
        Json.ok(ctx, Json.object().put("path", path).put("size", body.count));
    }

    private void download(Context ctx) throws IOException {
        String path = GuestPaths.resolve(ctx.queryParam("path"), "path");
        Streams.Lazy out = new Streams.Lazy(ctx, "application/octet-stream");
        try (GuestLease guest = microvms.use(Caller.of(ctx).tenantId(), id(ctx))) {
            try {
                guest.agent().readFile(path, out);
            } catch (AgentException e) {
                throw AgentErrors.translate(e, guest, path);
            }
        }
        out.open(); // an empty file still gets its 200
        out.flush();
    }

    private void stat(Context ctx) {
        String path = GuestPaths.resolve(ctx.queryParam("path"), "path");
        FileStat s = call(ctx, path, agent -> agent.stat(path));
        ObjectNode o = Json.object().put("path", path);
        describe(o, s);
        Json.ok(ctx, o);
    }

    private void list(Context ctx) {
        String path = GuestPaths.resolve(ctx.queryParam("path"), "path");
        var entries = call(ctx, path, agent -> agent.list(path));
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("entries");
        for (FileStat s : entries) describe(items.addObject().put("name", s.name()), s);
        Json.ok(ctx, o);
    }

    private void mkdir(Context ctx) {
        ObjectNode body = Json.body(ctx);
        String path = GuestPaths.resolve(Fields.string(body, "path", true, 4096), "path");
        Boolean parents = Fields.bool(body, "parents", false);
        call(ctx, path, agent -> {
            agent.mkdir(path, parents != null && parents);
            return null;
        });
        Json.ok(ctx, Json.object().put("path", path));
    }

    private void remove(Context ctx) {
        String path = GuestPaths.resolve(ctx.queryParam("path"), "path");
        boolean recursive = Fields.queryBool(ctx.queryParam("recursive"), "recursive", false);
        if (GuestPaths.isRoot(path)) throw ApiException.validation("path must not be the root directory");
        call(ctx, path, agent -> {
            agent.remove(path, recursive);
            return null;
        });
        Json.ok(ctx, Json.object());
    }

    private interface AgentCall<T> {
        T run(GuestAgent agent) throws AgentException;
    }

    private <T> T call(Context ctx, String path, AgentCall<T> c) {
        try (GuestLease guest = microvms.use(Caller.of(ctx).tenantId(), id(ctx))) {
            try {
                return c.run(guest.agent());
            } catch (AgentException e) {
                throw AgentErrors.translate(e, guest, path);
            }
        }
    }

    private static void describe(ObjectNode o, FileStat s) {
        o.put("type", s.type()).put("size", s.size()).put("mode", s.mode())
                .put("modifiedAt", Json.epochSeconds(Instant.ofEpochMilli(s.mtimeMillis())));
    }

    private static String id(Context ctx) {
        return ctx.pathParam("id");
    }

    /** An octal permission string such as {@code 0644}; the default when absent. */
    static int mode(String raw) {
        if (raw == null) return DEFAULT_MODE;
        if (!raw.matches("[0-7]{1,4}")) throw ApiException.validation("mode must be octal permission bits such as 0644");
        return Integer.parseInt(raw, 8);
    }
}
