package io.ember.image.build;

import io.ember.agent.AgentException;
import io.ember.agent.AgentInfo;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.FileStat;
import io.ember.agent.GuestAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A guest as a map of paths: enough file semantics (ENOENT, EISDIR, parents) to test the build logic. */
final class FakeAgent implements GuestAgent {
    record Result(int exitCode, String output, boolean timedOut) {}

    final Map<String, byte[]> files = new TreeMap<>();
    final Map<String, Integer> modes = new TreeMap<>();
    final Set<String> dirs = new TreeSet<>(Set.of("/", "/etc", "/tmp", "/usr", "/usr/local", "/usr/local/bin"));
    final List<ExecRequest> execs = new ArrayList<>();
    Function<ExecRequest, Result> behaviour = r -> new Result(0, "", false);

    @Override
    public AgentInfo hello(Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExecStream exec(ExecRequest request) {
        execs.add(request);
        Result r = behaviour.apply(request);
        Deque<ExecEvent> events = new ArrayDeque<>(List.of(new ExecEvent.Started(42),
                new ExecEvent.Stdout(r.output().getBytes(StandardCharsets.UTF_8)),
                new ExecEvent.Exit(r.timedOut() ? -1 : r.exitCode(), r.timedOut() ? 9 : 0, r.timedOut())));
        return new ExecStream() {
            @Override
            public ExecEvent next(Duration timeout) {
                return events.poll();
            }

            @Override
            public void writeStdin(byte[] data, int off, int len) {}

            @Override
            public void closeStdin() {}

            @Override
            public void signal(int signo) {}

            @Override
            public void close() {}
        };
    }

    @Override
    public void writeFile(String path, int mode, InputStream data) throws AgentException {
        if (!dirs.contains(parent(path))) throw new AgentException(2, "open " + path + ": No such file or directory");
        if (dirs.contains(path)) throw new AgentException(21, path + " is a directory");
        try {
            files.put(path, data.readAllBytes());
        } catch (IOException e) {
            throw new AgentException("reading the data for " + path + " failed: " + e.getMessage(), false, e);
        }
        modes.put(path, mode);
    }

    @Override
    public long readFile(String path, OutputStream out) throws AgentException {
        byte[] b = files.get(path);
        if (b == null) throw new AgentException(2, "No such file or directory");
        try {
            out.write(b);
        } catch (IOException e) {
            throw new AgentException(e.getMessage(), false, e);
        }
        return b.length;
    }

    @Override
    public FileStat stat(String path) throws AgentException {
        if (dirs.contains(path)) return new FileStat(path, "directory", 0, 0755, 0);
        if (files.containsKey(path)) return new FileStat(path, "file", files.get(path).length, modes.get(path), 0);
        throw new AgentException(2, "stat " + path + ": No such file or directory");
    }

    @Override
    public List<FileStat> list(String path) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void mkdir(String path, boolean parents) throws AgentException {
        if (files.containsKey(path)) throw new AgentException(17, "mkdir " + path + ": File exists");
        if (!parents && !dirs.contains(parent(path))) throw new AgentException(2, "mkdir " + path + ": No such file or directory");
        for (String p = path; !p.equals("/"); p = parent(p)) {
            if (files.containsKey(p)) throw new AgentException(20, "mkdir " + p + ": Not a directory");
            dirs.add(p);
        }
    }

    @Override
    public void remove(String path, boolean recursive) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<String> failure() {
        return new CompletableFuture<>();
    }

    @Override
    public void close() {}

    String text(String path) {
        byte[] b = files.get(path);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }
}
