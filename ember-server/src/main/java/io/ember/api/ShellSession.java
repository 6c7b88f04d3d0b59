package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.FileStat;
import io.ember.agent.Terminal;
import io.ember.microvm.GuestLease;
import io.ember.microvm.MicrovmException;
import io.ember.microvm.Microvms;
import io.javalin.websocket.WsContext;
import org.eclipse.jetty.websocket.api.RemoteEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open shell: a process on a terminal in the guest, joined to one WebSocket. Output is sent (blocking) before the
 * next chunk is pulled from the agent, so a slow client holds the guest back instead of filling the server; input
 * is written under the agent's window, so a process that reads nothing stops the socket being read. The shell holds
 * a {@link GuestLease} from start to end: an open shell is activity, and the idle policy does not suspend its guest.
 */
final class ShellSession {
    static final int MAX_INPUT_MESSAGE = 64 * 1024, MAX_CONTROL_MESSAGE = 4096;
    static final String TERM = "xterm-256color";
    /** Silence longer than this gets a ping: proxies keep the connection, and a vanished client is found. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** No byte either way for this long (pings included): the client stopped reading, or is gone. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Input that arrives before the shell runs waits this long for it (the guest may be booting or resuming). */
    private static final Duration START_WAIT = Duration.ofMinutes(5);
    private static final int NORMAL = 1000, POLICY = 1008, SERVER_ERROR = 1011, ENOSYS = 38;
    private static final Logger log = LoggerFactory.getLogger(ShellSession.class);

    private final Microvms microvms;
    private final ShellRoutes.ShellRequest request;
    private final WsContext ws;
    private final CompletableFuture<ExecStream> running = new CompletableFuture<>();
    private GuestLease lease;
    private ExecStream stream;
    private boolean ended;

    ShellSession(Microvms microvms, ShellRoutes.ShellRequest request, WsContext ws) {
        this.microvms = microvms;
        this.request = request;
        this.ws = ws;
    }

    void start() {
        ws.session.setMaxBinaryMessageSize(MAX_INPUT_MESSAGE);
        ws.session.setMaxTextMessageSize(MAX_CONTROL_MESSAGE);
        ws.session.setIdleTimeout(IDLE_TIMEOUT);
        Thread.ofVirtual().name("shell-" + request.microvmId()).start(this::run);
    }

    private void run() {
        GuestLease l = null;
        try {
            l = microvms.use(request.microvmId());
            synchronized (this) {
                lease = l;
                if (ended) return;
            }
            ExecStream s = l.agent().exec(request(l));
            synchronized (this) {
                stream = s;
                if (ended) return;
            }
            running.complete(s);
            pump(s);
        } catch (MicrovmException e) {
            fail(ErrorMapper.fromMicrovm(e));
        } catch (AgentException e) {
            fail(e.errno() == ENOSYS ? ApiException.conflict("the agent in microVM " + request.microvmId()
                    + " has no terminals: it was started from a snapshot older than the shell; rebuild its image",
                    "Microvm", request.microvmId()) : AgentErrors.translate(e, l, null));
        } catch (InterruptedException e) {
            fail(ApiException.internal("the server is stopping"));
        } catch (IOException clientGone) {
            log.info("shell on {}: client went away ({}); process killed", request.microvmId(), clientGone.toString());
        } catch (RuntimeException e) {
            log.error("shell on {} failed", request.microvmId(), e);
            fail(ApiException.internal("internal error (" + e.getClass().getSimpleName() + "); see the server log"));
        } finally {
            end();
        }
    }

    /** root in /workspace on a terminal, with the image's environment and TERM; the guest's login shell by default. */
    private ExecRequest request(GuestLease l) throws AgentException {
        List<String> argv = request.command() != null ? List.of("/bin/sh", "-c", request.command())
                : List.of(hasBash(l) ? "/bin/bash" : "/bin/sh", "-l");
        Map<String, String> env = new LinkedHashMap<>(ExecCall.DEFAULT_ENV);
        env.putAll(l.environment());
        env.put("TERM", TERM);
        return new ExecRequest(argv, env, GuestPaths.WORKSPACE, null, true, null, request.size());
    }

    private static boolean hasBash(GuestLease l) throws AgentException {
        try {
            FileStat st = l.agent().stat("/bin/bash");
            return st.type().equals("file") || st.type().equals("symlink");
        } catch (AgentException e) {
            if (e.channelBroken()) throw e;
            return false;
        }
    }

    private void pump(ExecStream s) throws AgentException, InterruptedException, IOException {
        RemoteEndpoint client = ws.session.getRemote();
        while (true) {
            ExecEvent event = s.next(HEARTBEAT);
            switch (event) {
                case null -> {
                    if (isEnded() || !ws.session.isOpen()) return; // closed meanwhile: end() cancelled the stream
                    client.sendPing(ByteBuffer.allocate(0));
                }
                case ExecEvent.Started started -> { }
                case ExecEvent.Stdout o -> client.sendBytes(ByteBuffer.wrap(o.data()));
                case ExecEvent.Stderr e -> client.sendBytes(ByteBuffer.wrap(e.data()));
                case ExecEvent.Exit x -> {
                    client.sendString(Json.object().put("type", "exit").put("exitCode", x.exitCode())
                            .put("signal", x.signal()).toString());
                    ws.closeSession(NORMAL, "exit");
                    return;
                }
            }
        }
    }

    /** Keystrokes. Blocks while the guest's window for the process's input is full. */
    void input(byte[] data, int off, int len) {
        ExecStream s = awaitRunning();
        if (s == null) return;
        try {
            s.writeStdin(data, off, len);
        } catch (AgentException e) {
            log.debug("shell input dropped: {}", e.getMessage()); // the process has ended: EXIT follows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A control message: {@code {"type":"resize","rows":R,"cols":C}}; anything else closes the socket (1008). */
    void control(String message) {
        int rows, cols;
        try {
            JsonNode m = Json.MAPPER.readTree(message);
            if (!(m instanceof ObjectNode o) || !"resize".equals(o.path("type").asText(null))) {
                throw new IllegalArgumentException("the only control message is {\"type\":\"resize\",\"rows\":R,\"cols\":C}");
            }
            rows = dimension(o, "rows");
            cols = dimension(o, "cols");
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof IOException ? "malformed JSON" : e.getMessage();
            ws.closeSession(POLICY, "bad control message: " + why);
            return;
        }
        ExecStream s = awaitRunning();
        if (s == null) return;
        try {
            s.resize(rows, cols);
        } catch (AgentException e) {
            log.debug("resize dropped: {}", e.getMessage());
        }
    }

    private static int dimension(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToExactIntegral() || v.asLong() < 1 || v.asLong() > Terminal.MAX) {
            throw new IllegalArgumentException(field + " must be an integer from 1 to " + Terminal.MAX);
        }
        return v.asInt();
    }

    /** The running process, once it runs; null when it never will (failed, or the socket closed first). */
    private ExecStream awaitRunning() {
        try {
            return running.get(START_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** Errors after the upgrade: a last text message in the API's error terms, then close (1011). */
    private void fail(ApiException e) {
        log.info("shell on {} ended: {}", request.microvmId(), e.getMessage());
        try {
            if (ws.session.isOpen()) {
                ws.session.getRemote().sendString(Json.object().put("type", "error").put("errorType", e.type())
                        .put("message", e.getMessage()).toString());
                ws.closeSession(SERVER_ERROR, e.type());
            }
        } catch (IOException | RuntimeException gone) {
            log.debug("could not report the shell's error: {}", gone.toString());
        }
    }

    private synchronized boolean isEnded() {
        return ended;
    }

    /** Idempotent: kills the process if it still runs (CANCEL), releases the lease, and wakes waiting input. */
    void end() {
        ExecStream s;
        GuestLease l;
        synchronized (this) {
            if (ended && stream == null && lease == null) return;
            ended = true;
            s = stream;
            l = lease;
            stream = null;
            lease = null;
        }
        running.complete(null);
        if (s != null) s.close();
        if (l != null) l.close();
    }
}
