package io.ember.image;

import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.BuildLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts an image's application in the template VM and waits until it is ready (docs/images.md, "Ready"): the first
 * EXPOSEd TCP port has a listening socket, or, with no EXPOSE, the process still lives 1 s after its start.
 */
final class GuestApp {
    static final String APP_LOG = "/var/log/ember-app.log";
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

    private final GuestAgent agent;
    private final BuildLog log;
    private final Duration readyTimeout;

    GuestApp(GuestAgent agent, BuildLog log, Duration readyTimeout) {
        this.agent = agent;
        this.log = log;
        this.readyTimeout = readyTimeout;
    }

    void start(List<String> argv, Map<String, String> env, String workdir, String user, List<Integer> ports) throws BuildFailure {
        Map<String, String> full = new LinkedHashMap<>();
        full.put("PATH", DEFAULT_PATH);
        full.putAll(env);
        String cwd = workdir == null || workdir.isEmpty() ? "/" : workdir;
        long pid;
        try {
            agent.mkdir("/var/log", true);
            pid = spawn(argv, full, cwd, user);
        } catch (AgentException e) {
            throw new BuildFailure("cannot start the application " + argv + ": " + e.getMessage());
        }
        log.line("application " + argv + " started as pid " + pid + (user == null ? "" : " (user " + user + ")") + " in " + cwd);
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        long aliveSince = System.nanoTime();
        Integer port = ports == null || ports.isEmpty() ? null : ports.getFirst();
        log.line(port == null ? "ready when the process still runs 1 s after its start" : "ready when TCP port " + port + " listens");
        while (true) {
            sleep(POLL);
            boolean alive = run(List.of("/bin/sh", "-c", "kill -0 " + pid + " && ! grep -q '^State:.*Z' /proc/" + pid + "/status"))
                    .exitCode() == 0;
            if (!alive) throw new BuildFailure("the application " + argv + " exited before it was ready; its log ends with: " + tail());
            if (port == null) {
                if (System.nanoTime() - aliveSince >= 1_000_000_000L) return;
            } else {
                Result r = run(List.of("cat", "/proc/net/tcp", "/proc/net/tcp6"));
                if (listening(r.stdout()).contains(port)) return;
            }
            if (System.nanoTime() - deadline > 0)
                throw new BuildFailure("the application " + argv + " was not ready within " + readyTimeout.toSeconds() + " s"
                        + (port == null ? "" : " (port " + port + " never listened)") + "; its log ends with: " + tail());
        }
    }

    /** Through the agent's SPAWN; with an agent that lacks it, through a detached shell (same log, same session rule). */
    private long spawn(List<String> argv, Map<String, String> env, String cwd, String user) throws AgentException, BuildFailure {
        try {
            long pid = agent.spawn(new ExecRequest(argv, env, cwd, null, false, user), APP_LOG);
            log.line("started through the agent's SPAWN");
            return pid;
        } catch (AgentException e) {
            if (!String.valueOf(e.getMessage()).contains("not supported")) throw e;
        }
        log.line("the agent client has no SPAWN: starting through a detached shell");
        if (user != null) run(List.of("/bin/sh", "-c", ": >>" + APP_LOG + " && chmod 0666 " + APP_LOG)); // the shell runs as USER
        StringBuilder cmd = new StringBuilder("cd ").append(quote(cwd)).append(" && { setsid");
        for (String a : argv) cmd.append(' ').append(quote(a));
        cmd.append(" >>" + APP_LOG + " 2>&1 </dev/null & } && echo $!");
        Result r = run(new ExecRequest(List.of("/bin/sh", "-c", cmd.toString()), env, "/", EXEC_TIMEOUT, false, user));
        String out = r.stdout().strip();
        if (r.exitCode() != 0 || !out.matches("[0-9]{1,9}"))
            throw new BuildFailure("cannot start the application " + argv + " (exit " + r.exitCode() + "): " + out);
        return Long.parseLong(out);
    }

    /** Local ports in state 0A (LISTEN) in /proc/net/tcp and tcp6 text. */
    static Set<Integer> listening(String procNetTcp) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (String line : procNetTcp.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":") || !f[3].equals("0A")) continue;
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) continue;
            try {
                ports.add(Integer.parseInt(f[1].substring(colon + 1), 16));
            } catch (NumberFormatException e) {
                // a malformed line from the guest: ignore it
            }
        }
        return ports;
    }

    static void sync(GuestAgent agent) throws BuildFailure {
        Result r = new GuestApp(agent, null, Duration.ZERO).run(List.of("sync"));
        if (r.exitCode() != 0) throw new BuildFailure("sync in the guest failed (exit " + r.exitCode() + ")");
    }

    private String tail() {
        try {
            String s = run(List.of("tail", "-c", "2000", APP_LOG)).stdout().strip();
            return s.isEmpty() ? "(empty)" : s;
        } catch (BuildFailure e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    record Result(int exitCode, String stdout) {}

    private Result run(List<String> argv) throws BuildFailure {
        return run(new ExecRequest(argv, Map.of("PATH", DEFAULT_PATH), "/", EXEC_TIMEOUT, false));
    }

    /** Runs a short command; its output (bounded at 1 MiB) and exit code. */
    private Result run(ExecRequest req) throws BuildFailure {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + EXEC_TIMEOUT.plusSeconds(5).toNanos();
        try (ExecStream s = agent.exec(req)) {
            while (System.nanoTime() - deadline < 0) {
                ExecEvent e = s.next(Duration.ofSeconds(1));
                if (e instanceof ExecEvent.Stdout o && out.size() < (1 << 20)) out.write(o.data(), 0, o.data().length);
                if (e instanceof ExecEvent.Exit x) return new Result(x.exitCode(), out.toString(StandardCharsets.UTF_8));
            }
            throw new BuildFailure(req.argv().getFirst() + " did not end in the guest within " + EXEC_TIMEOUT.toSeconds() + " s");
        } catch (AgentException e) {
            throw new BuildFailure("the guest agent failed during " + req.argv().getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted");
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void sleep(Duration d) throws BuildFailure {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted");
        }
    }
}
