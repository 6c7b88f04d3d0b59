package io.ember.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The host side of a guest's agent channel (docs/agent-protocol.md) over a Unix socket. */
public final class AgentClient implements GuestAgent {
    static final int E2BIG = 7, EBADF = 9, EINVAL = 22, EPIPE = 32, ENOSYS = 38, ETIMEDOUT = 110;

    private final AgentChannel ch;
    /** FEATURES of the last HELLO_OK; null before one (then optional requests are sent and the agent judges). */
    private volatile Set<String> features;
    /** What answers the guest's metadata endpoint (null: nothing), the open stream it uses, and whether RESTORED is due. */
    private MetadataService metadataService;
    private MetadataStream metadata;
    private boolean awaitingRestored;

    private AgentClient(AgentChannel ch) {
        this.ch = ch;
    }

    /** Connects to the agent socket, retrying until {@code timeout} while it does not exist yet or refuses. */
    public static GuestAgent connect(Path socket, Duration timeout) throws AgentException {
        return connect(socket, timeout, AgentLimits.defaults());
    }

    public static GuestAgent connect(Path socket, Duration timeout, AgentLimits limits) throws AgentException {
        long deadline = Slot.deadline(timeout);
        while (true) {
            SocketChannel s = null;
            try {
                s = SocketChannel.open(StandardProtocolFamily.UNIX);
                s.connect(UnixDomainSocketAddress.of(socket));
                io.ember.jail.SocketPeer.verify(s, socket); // the VM's own VMM, not a link to another VM's socket
                return over(s, limits, socket.toString());
            } catch (IOException e) {
                closeQuietly(s);
                if (System.nanoTime() - deadline >= 0)
                    throw new AgentException("cannot connect to the agent socket " + socket + ": " + e.getMessage(), true, e);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentException("interrupted while connecting to " + socket, false, e);
            }
        }
    }

    /** Serves an already connected socket (tests, or an agent that connected to us). */
    static AgentClient over(SocketChannel socket, AgentLimits limits, String label) {
        return new AgentClient(new AgentChannel(socket, limits, label));
    }

    AgentChannel channel() {
        return ch;
    }

    @Override
    public AgentInfo hello(Duration timeout) throws AgentException {
        CompletableFuture<Fields> answer = ch.hello();
        Fields f;
        try {
            f = answer.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            ch.fail("agent did not answer HELLO within " + timeout.toMillis() + " ms");
            throw new AgentException("agent did not answer HELLO within " + timeout.toMillis() + " ms", true, null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AgentException a ? a : new AgentException(e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted while waiting for HELLO_OK", false, e);
        }
        try {
            long version = f.integer(Proto.F_VERSION);
            if (version < Proto.OLDEST_VERSION || version > Proto.VERSION) {
                ch.fail("agent protocol version " + version + " not supported");
                ch.check();
            }
            String advertised = f.string(Proto.FEATURES, "");
            features = advertised.isEmpty() ? Set.of() : Set.of(advertised.split(",", 64));
            openMetadata();
            return new AgentInfo((int) version, AgentChannel.printable(f.string(Proto.AGENT, "")),
                    AgentChannel.printable(f.string(Proto.KERNEL, "")), AgentChannel.printable(f.string(Proto.HOSTNAME, "")));
        } catch (ProtocolViolation v) { // checked on arrival
            throw new AgentException(v.getMessage(), true, null);
        }
    }

    /** ARG, ENV, CWD and USER: what EXEC and SPAWN share. */
    private Fields.Builder launch(ExecRequest request) throws AgentException {
        Fields.Builder b = Fields.builder();
        for (String a : request.argv()) b.string(Proto.ARG, text("argument", a));
        for (Map.Entry<String, String> e : request.env().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0)
                throw new AgentException(EINVAL, "invalid environment variable name '" + e.getKey() + "'");
            b.string(Proto.ENV, text("environment variable", e.getKey() + "=" + e.getValue()));
        }
        if (request.cwd() != null) b.string(Proto.CWD, text("working directory", request.cwd()));
        if (request.user() != null) {
            require("user", "running as a user");
            b.string(Proto.USER, text("user", request.user()));
        }
        return b;
    }

    /** Refuses a request an agent said it does not know, instead of breaking its channel with an unknown frame. */
    private void require(String feature, String what) throws AgentException {
        Set<String> f = features;
        if (f != null && !f.contains(feature))
            throw new AgentException(ENOSYS, "the guest's agent does not support " + what + " (it predates it)");
    }

    @Override
    public ExecStream exec(ExecRequest request) throws AgentException {
        Fields.Builder b = launch(request);
        Duration timeout = request.timeout() == null || request.timeout().isNegative() ? Duration.ZERO : request.timeout();
        long timeoutMs = timeout.isZero() ? 0 : Math.max(1, timeout.toMillis());
        boolean stdin = request.stdin() || request.terminal() != null;
        b.integer(Proto.TIMEOUT_MS, timeoutMs).integer(Proto.STDIN_F, stdin ? 1 : 0);
        if (request.terminal() != null) {
            require("pty", "terminals");
            b.integer(Proto.PTY, 1).integer(Proto.ROWS, request.terminal().rows()).integer(Proto.COLS, request.terminal().cols());
        }
        if (b.size() > Proto.MAX_FRAME)
            throw new AgentException(E2BIG, "arguments and environment exceed " + Proto.MAX_FRAME + " bytes");
        Slot s = ch.open(Slot.Kind.EXEC);
        ch.send(s.id, Proto.EXEC, b.build());
        Slot.Msg m = ch.await(s, ch.limits.requestTimeout(), "EXEC");
        if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
        long pid;
        try {
            pid = m.fields().integer(Proto.PID);
        } catch (ProtocolViolation v) { // checked on arrival
            throw new AgentException(v.getMessage(), true, null);
        }
        long backstop = timeoutMs == 0 ? 0 : Slot.deadline(timeout.plus(ch.exitBackstop)) | 1;
        return new ExecSession(ch, s, pid, stdin, request.terminal() != null, backstop);
    }

    @Override
    public int spawn(ExecRequest request, String logPath) throws AgentException {
        if (request.stdin() || (request.timeout() != null && !request.timeout().isZero() && !request.timeout().isNegative()))
            throw new AgentException(EINVAL, "a spawned process has no stdin and no timeout");
        require("spawn", "SPAWN");
        Fields.Builder b = launch(request);
        if (logPath != null) b.string(Proto.PATH, text("log path", logPath));
        Slot.Msg m = simple(Slot.Kind.SPAWN, Proto.SPAWN, b, ch.limits.requestTimeout());
        try {
            long pid = m.fields().integer(Proto.PID);
            if (pid > Integer.MAX_VALUE) throw new AgentException("agent protocol violation: pid " + pid, true, null);
            return (int) pid;
        } catch (ProtocolViolation v) { // checked on arrival
            throw new AgentException(v.getMessage(), true, null);
        }
    }

    @Override
    public void restored(RestoreFixup fixup, Duration timeout) throws AgentException {
        require("restored", "RESTORED");
        // an older agent would ignore NET and answer OK with the snapshot's address still set
        if (fixup.net() != null) require("restored-net", "a network change in RESTORED");
        long ns;
        try {
            ns = Math.addExact(Math.multiplyExact(fixup.now().getEpochSecond(), 1_000_000_000L), fixup.now().getNano());
        } catch (ArithmeticException e) {
            throw new AgentException(EINVAL, "time " + fixup.now() + " is out of range");
        }
        Fields.Builder b = Fields.builder().integer(Proto.TIME_NS, ns).bytes(Proto.ENTROPY, fixup.entropy())
                .integer(Proto.NEW_IDENTITY, fixup.newIdentity() ? 1 : 0);
        if (fixup.hostname() != null) b.string(Proto.HOSTNAME, text("hostname", fixup.hostname()));
        if (fixup.net() != null) b.string(Proto.NET, fixup.net().restoredField());
        simple(Slot.Kind.SIMPLE, Proto.RESTORED, b, timeout);
        ch.formerStreamsEnded(); // the guest closed them before it answered
        synchronized (this) {
            awaitingRestored = false;
        }
        openMetadata();
    }

    @Override
    public void expectRestored() {
        synchronized (this) {
            awaitingRestored = true;
            if (metadata != null) metadata.forget(); // RESTORED ends it in the guest; opened again after
            metadata = null;
        }
        ch.expectFormerStreams();
    }

    @Override
    public synchronized void serveMetadata(MetadataService service) {
        metadataService = service;
        openMetadata();
    }

    /** Opens the metadata stream once it may be: a service is set, the agent has the feature, no RESTORED is due. */
    private synchronized void openMetadata() {
        Set<String> f = features;
        if (metadataService == null || metadata != null || awaitingRestored || f == null || !f.contains("metadata")) return;
        try {
            metadata = MetadataStream.open(ch, metadataService);
        } catch (AgentException e) {
            // the channel is broken: every other call says so
        }
    }

    @Override
    public GuestSocket connectTcp(int port, Duration connectTimeout) throws AgentException {
        if (port < 1 || port > 65535) throw new AgentException(EINVAL, "port " + port + " is not 1 to 65535");
        long ms = connectTimeout.toMillis();
        if (connectTimeout.isNegative() || connectTimeout.isZero() || ms > 60_000)
            throw new AgentException(EINVAL, "connect timeout " + connectTimeout + " is not 1 ms to 60 s");
        require("tcp", "TCP connections");
        Slot s = ch.open(Slot.Kind.TCP);
        ch.send(s.id, Proto.CONNECT, Fields.builder().integer(Proto.PORT, port).integer(Proto.TIMEOUT_MS, Math.max(1, ms)).build());
        Slot.Msg m = ch.await(s, connectTimeout.plus(ch.limits.requestTimeout()), "CONNECT");
        if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
        return new TcpSession(ch, s);
    }

    @Override
    public void writeFile(String path, int mode, InputStream data) throws AgentException {
        FileTransfer.write(ch, path, mode, data);
    }

    @Override
    public long readFile(String path, OutputStream out) throws AgentException {
        return FileTransfer.read(ch, path, out);
    }

    @Override
    public FileStat stat(String path) throws AgentException {
        Slot.Msg m = simple(Slot.Kind.STAT, Proto.STAT, Fields.builder().string(Proto.PATH, text("path", path)), ch.limits.requestTimeout());
        try {
            return Slot.stat(m.fields(), path);
        } catch (ProtocolViolation v) { // checked on arrival
            throw new AgentException(v.getMessage(), true, null);
        }
    }

    @Override
    public List<FileStat> list(String path) throws AgentException {
        return FileTransfer.list(ch, path);
    }

    @Override
    public void mkdir(String path, boolean parents) throws AgentException {
        simple(Slot.Kind.SIMPLE, Proto.MKDIR, Fields.builder().string(Proto.PATH, text("path", path))
                .integer(Proto.PARENTS, parents ? 1 : 0).integer(Proto.MODE, 0755), ch.limits.requestTimeout());
    }

    @Override
    public void remove(String path, boolean recursive) throws AgentException {
        Duration t = ch.limits.requestTimeout().multipliedBy(recursive ? 4 : 1);
        simple(Slot.Kind.SIMPLE, Proto.REMOVE, Fields.builder().string(Proto.PATH, text("path", path))
                .integer(Proto.RECURSIVE, recursive ? 1 : 0), t);
    }

    /** The agent is C: a NUL would silently cut a string short, so it is refused here. */
    static String text(String what, String s) throws AgentException {
        if (s.indexOf('\0') >= 0) throw new AgentException(EINVAL, what + " contains a NUL character");
        return s;
    }

    /** One request, one answer: the answer unless it is an ERROR. */
    private Slot.Msg simple(Slot.Kind kind, int type, Fields.Builder b, Duration timeout) throws AgentException {
        if (b.size() > Proto.MAX_FRAME) throw new AgentException(E2BIG, "request exceeds " + Proto.MAX_FRAME + " bytes");
        Slot s = ch.open(kind);
        ch.send(s.id, type, b.build());
        Slot.Msg m = ch.await(s, timeout, Proto.name(type));
        if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
        return m;
    }

    @Override
    public CompletableFuture<String> failure() {
        return ch.failure();
    }

    /** Closes the channel; calls still waiting fail. Does not complete {@link #failure()}. */
    @Override
    public void close() {
        ch.close();
    }

    private static void closeQuietly(SocketChannel s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
