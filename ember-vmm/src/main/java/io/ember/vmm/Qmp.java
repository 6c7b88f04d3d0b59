package io.ember.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A QMP client (JSON lines over QEMU's monitor socket): greeting, qmp_capabilities, then commands
 * with ids; events in between are skipped. Lines are bounded and every exchange has a deadline
 * (the socket is closed when it passes, which unblocks the read).
 */
final class Qmp implements Closeable {
    static final int MAX_LINE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "qmp-deadline");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private final SocketChannel socket;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private int nextId = 1;

    private Qmp(SocketChannel socket) {
        this.socket = socket;
    }

    static Qmp connect(Path path, Duration timeout) throws IOException {
        SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
        Qmp q = new Qmp(s);
        try (var guard = q.deadline(timeout)) {
            s.connect(UnixDomainSocketAddress.of(path));
            io.ember.jail.SocketPeer.verify(s, path);
            JsonNode greeting = q.readLine();
            if (!greeting.has("QMP")) throw new IOException("not a QMP greeting: " + greeting);
            q.exchange("qmp_capabilities", Map.of());
            return q;
        } catch (ClosedChannelException e) {
            q.close();
            throw new IOException("QMP handshake on " + path + " did not finish within " + timeout.toMillis() + " ms", e);
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
    }

    /** Runs a command; returns its "return" value, or throws with QEMU's error description. */
    JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws IOException {
        try (var guard = deadline(timeout)) {
            return exchange(command, arguments);
        } catch (ClosedChannelException e) {
            throw new IOException("QMP " + command + ": no answer within " + timeout.toMillis() + " ms", e);
        }
    }

    private JsonNode exchange(String command, Map<String, ?> arguments) throws IOException {
        int id = nextId++;
        ObjectNode req = JSON.createObjectNode().put("execute", command).put("id", id);
        if (!arguments.isEmpty()) req.set("arguments", JSON.valueToTree(arguments));
        ByteBuffer out = ByteBuffer.wrap((req + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) socket.write(out);
        while (true) {
            JsonNode msg = readLine();
            if (!msg.path("id").isInt() || msg.path("id").asInt() != id) continue; // an event
            if (msg.has("error"))
                throw new IOException("QMP " + command + " failed: " + msg.path("error").path("desc").asText());
            return msg.path("return");
        }
    }

    private JsonNode readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = socket.read(in);
                in.flip();
                if (n < 0) throw new IOException("QMP connection closed");
            }
            byte b = in.get();
            if (b == '\n') return JSON.readTree(line.toByteArray());
            if (line.size() >= MAX_LINE) throw new IOException("QMP line longer than " + MAX_LINE + " bytes");
            line.write(b);
        }
    }

    private AutoCloseable0 deadline(Duration timeout) {
        ScheduledFuture<?> f = TIMER.schedule(this::close, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    /** AutoCloseable without a checked exception. */
    private interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
