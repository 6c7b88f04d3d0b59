package io.ember.testing;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.FileStat;
import io.ember.agent.GuestAgent;
import io.ember.agent.RestoreFixup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** A guest agent with an in-memory file tree and scripted processes. */
public final class FakeAgent implements GuestAgent {
    public interface ExecHandler {
        ExecStream handle(ExecRequest request) throws AgentException;
    }

    /** A file: its bytes, or for big generated ones only a size (content byte i is {@code i % 251}). */
    public record Content(byte[] bytes, long generatedSize) {
        long size() { return bytes != null ? bytes.length : generatedSize; }
    }

    final Path socket;
    private final FakeAgents owner;
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    public final Map<String, Content> files = new ConcurrentHashMap<>();
    public final Set<String> dirs = ConcurrentHashMap.newKeySet();
    public final List<ExecRequest> execs = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Told how many bytes an upload has consumed so far. */
    public volatile LongConsumer uploadProgress = n -> {};
    public volatile long lastUploadSize = -1;
    public volatile boolean closed;
    /** When set, a file read fails with it after the file's bytes went out (a guest dying mid-transfer). */
    public volatile AgentException readFailure;
    /** {@link FakeAgents#ORDER} when it was connected. */
    public final long connectedOrder = FakeAgents.ORDER.incrementAndGet();
    /** The RESTORED fix-ups received, with {@link FakeAgents#ORDER} at each. */
    public final List<Restored> restored = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What {@link #serveMetadata} was given: the guest's metadata endpoint, as the server wired it (null: nothing). */
    public volatile io.ember.agent.MetadataService metadata;

    @Override
    public void serveMetadata(io.ember.agent.MetadataService service) {
        metadata = service;
    }

    /** One RESTORED call. */
    public record Restored(RestoreFixup fixup, Duration timeout, long order) {}

    FakeAgent(FakeAgents owner, Path socket) {
        this.owner = owner;
        this.socket = socket;
        dirs.addAll(List.of("/", "/workspace", "/tmp"));
    }

    /** The default process: {@code echo ARGS} prints them; {@code cat} echoes stdin; anything else exits 0. */
    public static ExecStream echo(ExecRequest r) {
        if (r.argv().getFirst().equals("cat")) {
            FakeExecStream s = FakeExecStream.of(new ExecEvent.Started(7));
            s.echoStdin = true;
            return s;
        }
        String out = r.argv().getFirst().equals("echo") ? String.join(" ", r.argv().subList(1, r.argv().size())) + "\n" : "";
        return FakeExecStream.of(new ExecEvent.Started(7), new ExecEvent.Stdout(out.getBytes(StandardCharsets.UTF_8)),
                new ExecEvent.Exit(0, 0, false));
    }

    @Override
    public AgentInfo hello(Duration timeout) throws AgentException {
        if (owner.helloIgnoresInterrupts) {
            Gates.awaitUninterruptibly(owner.helloGate, owner.helloInterrupted);
        } else {
            try {
                if (!owner.helloGate.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw broken("HELLO deadline passed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw broken("interrupted");
            }
        }
        if (owner.helloFailure != null) throw broken(owner.helloFailure);
        return new AgentInfo(owner.protocolVersion, "ember-agent 0.1.0-fake", "6.1.0-fake", "guest");
    }

    @Override
    public ExecStream exec(ExecRequest request) throws AgentException {
        check();
        execs.add(request);
        return owner.execHandler.handle(request);
    }

    @Override
    public void writeFile(String path, int mode, InputStream data) throws AgentException {
        check();
        if (dirs.contains(path)) throw new AgentException(21, "Is a directory");
        if (!dirs.contains(parent(path))) throw new AgentException(2, "No such file or directory");
        byte[] buf = new byte[65_536];
        long total = 0;
        java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream();
        try {
            for (int n; (n = data.read(buf)) > 0; ) {
                total += n;
                if (small.size() < (1 << 20)) small.write(buf, 0, n);
                uploadProgress.accept(total);
            }
        } catch (IOException e) {
            throw new AgentException("reading the upload failed: " + e.getMessage(), false, e);
        }
        lastUploadSize = total;
        files.put(path, total == small.size() ? new Content(small.toByteArray(), 0) : new Content(null, total));
    }

    @Override
    public long readFile(String path, OutputStream out) throws AgentException {
        check();
        if (dirs.contains(path)) throw new AgentException(21, "Is a directory");
        Content c = files.get(path);
        if (c == null) throw new AgentException(2, "No such file or directory");
        try {
            if (c.bytes() != null) {
                out.write(c.bytes());
            } else {
                byte[] chunk = new byte[65_536];
                for (long off = 0; off < c.generatedSize(); off += chunk.length) {
                    int n = (int) Math.min(chunk.length, c.generatedSize() - off);
                    for (int i = 0; i < n; i++) chunk[i] = (byte) ((off + i) % 251);
                    out.write(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            throw new AgentException("writing to the host failed: " + e.getMessage(), false, e);
        }
        if (readFailure != null) throw readFailure;
        return c.size();
    }

    @Override
    public FileStat stat(String path) throws AgentException {
        check();
        if (dirs.contains(path)) return new FileStat(path, "directory", 4096, 0755, 1_767_225_600_500L);
        Content c = files.get(path);
        if (c == null) throw new AgentException(2, "No such file or directory");
        return new FileStat(path, "file", c.size(), 0644, 1_767_225_600_000L);
    }

    @Override
    public List<FileStat> list(String path) throws AgentException {
        check();
        if (files.containsKey(path)) throw new AgentException(20, "Not a directory");
        if (!dirs.contains(path)) throw new AgentException(2, "No such file or directory");
        List<FileStat> out = new ArrayList<>();
        String prefix = path.endsWith("/") ? path : path + "/";
        for (String d : dirs) if (!d.equals(path) && parent(d).equals(path)) out.add(new FileStat(d.substring(prefix.length()), "directory", 4096, 0755, 0));
        for (var e : files.entrySet()) if (parent(e.getKey()).equals(path)) out.add(new FileStat(e.getKey().substring(prefix.length()), "file", e.getValue().size(), 0644, 0));
        return out;
    }

    @Override
    public void mkdir(String path, boolean parents) throws AgentException {
        check();
        if (dirs.contains(path)) {
            if (parents) return;
            throw new AgentException(17, "File exists");
        }
        if (!dirs.contains(parent(path))) {
            if (!parents) throw new AgentException(2, "No such file or directory");
            mkdir(parent(path), true);
        }
        dirs.add(path);
    }

    @Override
    public void remove(String path, boolean recursive) throws AgentException {
        check();
        if (files.remove(path) != null) return;
        if (!dirs.contains(path)) throw new AgentException(2, "No such file or directory");
        boolean empty = dirs.stream().noneMatch(d -> parent(d).equals(path) && !d.equals(path))
                && files.keySet().stream().noneMatch(f -> parent(f).equals(path));
        if (!empty && !recursive) throw new AgentException(39, "Directory not empty");
        dirs.removeIf(d -> d.equals(path) || d.startsWith(path + "/"));
        files.keySet().removeIf(f -> f.startsWith(path + "/"));
    }

    @Override
    public void restored(RestoreFixup fixup, Duration timeout) throws AgentException {
        check();
        restored.add(new Restored(fixup, timeout, FakeAgents.ORDER.incrementAndGet()));
        if (owner.restoredFailure != null) throw new AgentException(5, owner.restoredFailure);
    }

    /** To the host port {@link FakeAgents#tcpPorts} maps {@code port} to; ECONNREFUSED (111) when none. */
    @Override
    public io.ember.agent.GuestSocket connectTcp(int port, Duration connectTimeout) throws AgentException {
        check();
        owner.tcpConnects.add(port);
        Integer hostPort = owner.tcpPorts.get(port);
        if (hostPort == null) throw new AgentException(111, "Connection refused");
        try {
            java.net.Socket s = new java.net.Socket();
            s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), hostPort),
                    (int) Math.max(1, connectTimeout.toMillis()));
            return new LoopbackSocket(s);
        } catch (java.net.ConnectException e) {
            throw new AgentException(111, "Connection refused");
        } catch (IOException e) {
            throw new AgentException(5, e.getMessage());
        }
    }

    @Override
    public CompletableFuture<String> failure() {
        return failure;
    }

    /** The channel breaks as a hostile or dead guest would break it. */
    public void breakChannel(String reason) {
        closed = true;
        failure.complete(reason);
    }

    @Override
    public void close() {
        closed = true;
        failure.complete("closed by host");
    }

    private void check() throws AgentException {
        if (closed) throw broken(failure.getNow("closed"));
    }

    private static AgentException broken(String reason) {
        return new AgentException(reason, true, null);
    }

    private static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }
}
