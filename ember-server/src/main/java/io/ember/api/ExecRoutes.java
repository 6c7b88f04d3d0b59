package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import io.ember.agent.ExecRequest;
import io.ember.microvm.GuestLease;
import io.ember.microvm.Microvms;
import io.ember.secrets.Secrets;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ember/v1/microvms/{id}/exec}: runs a command and streams its events as NDJSON,
 * one line per event, flushed as it comes. The next event is pulled from the agent only once the
 * previous line is written, so a slow client slows the process (the agent's window does the rest).
 */
final class ExecRoutes {
    /** Silence longer than this gets an empty line: it finds clients that went away (and NDJSON readers skip it). */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** Beyond the command's own timeout, which the guest enforces, before the host gives up on it. */
    private static final Duration BACKSTOP = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ExecRoutes.class);

    private final Microvms microvms;
    private final Secrets secrets; // null: secretEnvironment is refused

    ExecRoutes(Microvms microvms) {
        this(microvms, null);
    }

    ExecRoutes(Microvms microvms, Secrets secrets) {
        this.microvms = microvms;
        this.secrets = secrets;
    }

    void register(Javalin app) {
        app.post("/ember/v1/microvms/{id}/exec", this::exec);
    }

    private void exec(Context ctx) throws IOException {
        String id = ctx.pathParam("id");
        ExecCall call = ExecCall.parse(Json.body(ctx));
        try (GuestLease guest = microvms.use(Caller.of(ctx).tenantId(), id)) {
            run(ctx, guest, call);
        }
    }

    private void run(Context ctx, GuestLease guest, ExecCall call) throws IOException {
        String id = guest.microvmId();
        ExecRequest request = call.request(guest.environment(), secretEnvironment(call, id));
        ExecStream stream;
        try {
            stream = guest.agent().exec(request);
        } catch (AgentException e) {
            throw AgentErrors.translate(e, guest, null);
        }
        try (stream) {
            if (call.stdin() != null) Thread.ofVirtual().name("exec-stdin").start(() -> feed(stream, call.stdin()));
            ctx.res().setStatus(200);
            ctx.res().setContentType("application/x-ndjson");
            OutputStream out = ctx.res().getOutputStream();
            out.flush(); // the headers go now: the client knows the command started
            pump(guest, stream, out, Instant.now().plus(request.timeout()).plus(BACKSTOP));
        } catch (IOException clientGone) {
            // Closing the stream (try-with-resources) kills the process: nobody reads its output any more.
            log.info("exec on {}: client went away ({}); process killed", id, clientGone.toString());
        }
    }

    /** The call's secret references resolved now, through the microVM's execution role (docs/secrets.md). */
    private Map<String, String> secretEnvironment(ExecCall call, String id) {
        if (call.secretEnvironment().isEmpty()) return Map.of();
        if (secrets == null) throw ApiException.validation("secretEnvironment is not supported by this server");
        return secrets.resolve(microvms.get(id).executionRoleArn(), call.secretEnvironment());
    }

    private void pump(GuestLease guest, ExecStream stream, OutputStream out, Instant deadline) throws IOException {
        while (true) {
            ExecEvent event;
            try {
                event = stream.next(HEARTBEAT);
            } catch (AgentException e) {
                line(out, error(AgentErrors.translate(e, guest, null)));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                line(out, error(ApiException.internal("the server is stopping")));
                return;
            }
            if (event == null) {
                if (Instant.now().isAfter(deadline)) {
                    line(out, error(ApiException.conflict("the command outlived its timeout and the agent did not end it",
                            "Microvm", guest.microvmId())));
                    return;
                }
                out.write('\n');
                out.flush();
                continue;
            }
            line(out, json(event));
            if (event instanceof ExecEvent.Exit) return;
        }
    }

    private static void feed(ExecStream stream, byte[] stdin) {
        try {
            for (int off = 0; off < stdin.length; off += 65_536) {
                stream.writeStdin(stdin, off, Math.min(65_536, stdin.length - off));
            }
            stream.closeStdin();
        } catch (AgentException e) {
            log.debug("writing stdin failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ObjectNode json(ExecEvent event) {
        ObjectNode o = Json.object();
        switch (event) {
            case ExecEvent.Started s -> o.put("type", "started").put("pid", s.pid());
            case ExecEvent.Stdout s -> o.put("type", "stdout").put("data", Base64.getEncoder().encodeToString(s.data()));
            case ExecEvent.Stderr s -> o.put("type", "stderr").put("data", Base64.getEncoder().encodeToString(s.data()));
            case ExecEvent.Exit x -> o.put("type", "exit").put("exitCode", x.exitCode()).put("signal", x.signal())
                    .put("timedOut", x.timedOut());
        }
        return o;
    }

    private static ObjectNode error(ApiException e) {
        return Json.object().put("type", "error").put("errorType", e.type()).put("message", e.getMessage());
    }

    private static void line(OutputStream out, ObjectNode o) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(o));
        out.write('\n');
        out.flush();
    }
}
