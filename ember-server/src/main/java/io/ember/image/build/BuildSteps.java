package io.ember.image.build;

import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a Dockerfile's steps inside the build microVM through its agent: RUN as a process in the guest, COPY
 * and ADD as file writes into the guest, WORKDIR as a mkdir in the guest. Nothing runs on the host. Steps run in
 * order; the first failure stops the build with a {@link BuildFailure} naming the line.
 */
public final class BuildSteps {
    /** How long past a RUN's own timeout the host waits for the agent to report it, before giving up on the VM. */
    private static final Duration MARGIN = Duration.ofSeconds(30);
    private static final int MAX_PASSWD_BYTES = 1 << 20;

    private final GuestAgent agent;
    private final CodeArtifact code;
    private final BuildLog log;
    private final Duration runTimeout;
    private final Map<String, String> homes = new HashMap<>();

    /** @param runTimeout the longest one RUN may take; then it is killed and the build fails */
    public BuildSteps(GuestAgent agent, CodeArtifact code, BuildLog log, Duration runTimeout) {
        if (runTimeout == null || runTimeout.isNegative() || runTimeout.isZero())
            throw new IllegalArgumentException("runTimeout must be positive");
        this.agent = agent;
        this.code = code;
        this.log = log;
        this.runTimeout = runTimeout;
    }

    public void run(Dockerfile df) throws BuildFailure {
        GuestCopy copier = new GuestCopy(this, code);
        for (Step s : df.steps()) // every COPY source is checked before the first RUN spends minutes
            if (s instanceof Step.Copy c) copier.resolve(c);
        int total = df.stepCount(), n = 1;
        log.line("Step " + n + "/" + total + " : FROM " + df.from());
        for (Step s : df.steps()) {
            log.line("Step " + ++n + "/" + total + " : " + s.text());
            switch (s) {
                case Step.Run r -> run(r);
                case Step.Copy c -> copier.copy(c);
                case Step.Workdir w -> workdir(w);
                case Step.Metadata m -> { }
            }
        }
    }

    private void workdir(Step.Workdir w) throws BuildFailure {
        try {
            agent.mkdir(w.path(), true);
        } catch (AgentException e) {
            throw fail(w.line(), "WORKDIR " + w.path() + ": cannot create it", e);
        }
    }

    private void run(Step.Run r) throws BuildFailure {
        Map<String, String> env = new HashMap<>(r.env());
        if (!env.containsKey("HOME")) env.put("HOME", home(r.user()));
        ExecEvent.Exit exit = exec(r.line(), r.text(), new ExecRequest(r.argv(), env, r.workdir(), runTimeout, false, r.user()),
                (b, off, len) -> log.output(b, off, len));
        String cmd = DockerfileParser.printable(r.text());
        if (exit.timedOut())
            throw BuildFailure.at(r.line(), cmd + " timed out after " + runTimeout.toSeconds() + " s and was killed");
        if (exit.exitCode() == -1 || exit.signal() != 0 && exit.exitCode() != 0)
            throw BuildFailure.at(r.line(), cmd + " was killed by signal " + exit.signal());
        if (exit.exitCode() != 0) throw BuildFailure.at(r.line(), cmd + " exited with code " + exit.exitCode());
    }

    interface Sink {
        void accept(byte[] b, int off, int len);
    }

    /** Runs a process in the guest to its end, output to {@code sink}. */
    ExecEvent.Exit exec(int line, String what, ExecRequest request, Sink sink) throws BuildFailure {
        long deadline = System.nanoTime() + runTimeout.plus(MARGIN).toNanos();
        try (ExecStream s = agent.exec(request)) {
            while (true) {
                ExecEvent e = s.next(Duration.ofSeconds(5));
                switch (e) {
                    case ExecEvent.Stdout o -> sink.accept(o.data(), 0, o.data().length);
                    case ExecEvent.Stderr o -> sink.accept(o.data(), 0, o.data().length);
                    case ExecEvent.Exit x -> {
                        return x;
                    }
                    case null, default -> {
                        if (System.nanoTime() - deadline > 0)
                            throw BuildFailure.at(line, DockerfileParser.printable(what) + ": the build VM stopped answering");
                    }
                }
            }
        } catch (AgentException e) {
            throw fail(line, DockerfileParser.printable(what), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BuildFailure.at(line, "the build was interrupted");
        }
    }

    /** Runs a helper command (chown, chmod, id) as root; fails the step with its output when it fails. */
    String helper(int line, String what, List<String> argv) throws BuildFailure {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecEvent.Exit x = exec(line, what, new ExecRequest(argv, Map.of("PATH", DockerfileParser.DEFAULT_PATH), "/",
                runTimeout, false), (b, off, len) -> { if (out.size() < 65536) out.write(b, off, len); });
        String text = out.toString(StandardCharsets.UTF_8).strip();
        if (x.exitCode() != 0)
            throw BuildFailure.at(line, what + ": " + argv.get(0) + " failed in the build VM"
                    + (text.isEmpty() ? " (exit " + x.exitCode() + ")" : ": " + DockerfileParser.printable(text)));
        return text;
    }

    GuestAgent agent() {
        return agent;
    }

    static BuildFailure fail(int line, String what, AgentException e) {
        String why = e.channelBroken() ? "the build VM failed: " + e.getMessage() : e.getMessage();
        return BuildFailure.at(line, what + ": " + DockerfileParser.printable(why == null ? "error" : why));
    }

    /** HOME as Docker sets it for RUN: the user's home from the guest's /etc/passwd, /root for root, else "/". */
    private String home(String user) {
        if (user == null) return "/root";
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        return homes.computeIfAbsent(name, this::lookupHome);
    }

    private String lookupHome(String name) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            agent.readFile("/etc/passwd", new OutputStream() { // bounded: the guest's file is untrusted
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (buf.size() + len > MAX_PASSWD_BYTES) throw new IOException("/etc/passwd is too large");
                    buf.write(b, off, len);
                }
            });
        } catch (AgentException e) {
            return "/";
        }
        for (String l : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            String[] f = l.split(":", -1);
            if (f.length >= 7 && (f[0].equals(name) || f[2].equals(name)) && f[5].startsWith("/")) return f[5];
        }
        return "/";
    }
}
