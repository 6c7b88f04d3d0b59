package io.ember.tools;

import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecRequest;
import io.ember.agent.ExecStream;
import io.ember.agent.GuestAgent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A persistent shell in the guest that lives on its own, not on any host stream: it is SPAWNed (so it survives
 * the agent channel's reset on resume, and a server restart), reads its commands from a FIFO, and reports each
 * command's end in a status file plus a byte in a second FIFO. All of its files are in {@code /run/ember/tools/<session>}
 * (tmpfs, part of the microVM's memory, so suspend/resume keeps them):
 * <ul>
 *   <li>{@code in}: FIFO, the shell's stdin (opened read-write by the shell, so it never sees end of file)</li>
 *   <li>{@code done}: FIFO, a newline per finished command wakes the waiter</li>
 *   <li>{@code pid}: the shell's pid (= its process group: it is a session leader)</li>
 *   <li>{@code c.N}, {@code o.N}, {@code r.N}: command N's text, its output (stdout and stderr together) and its status</li>
 * </ul>
 * Each command is run by {@code command . c.N} in the shell itself, so cd, variables and functions persist, and
 * a syntax error does not end a POSIX shell. Each line re-arms {@code trap 'return 130' INT}: an interrupt then
 * ends the sourced command (a loop included) but not the shell. The waiter is an EXEC that the guest ends after
 * the timeout; the host then interrupts the command, and escalates when that is not enough.
 */
final class GuestShell {
    static final String ROOT = "/run/ember/tools";
    /** How long an interrupted command gets to end before the next, harder step. */
    static final Duration GRACE = Duration.ofSeconds(3);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_WAITER_OUTPUT = 4096;
    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() * 1000);

    /** Runs as {@code sh -c SCRIPT ember-tool MODE DIR N [LINE|SIGNAL]}; prints "rc STATUS [exit]" or "dead". */
    private static final String WAITER = """
            d=$2 n=$3
            exec 3<>"$d/done" || exit 97
            case $1 in
            run)
              { read -r p < "$d/pid" && kill -0 "$p"; } 2>/dev/null || { echo dead; exit 0; }
              exec 4<>"$d/in" || exit 97
              printf '%s\\n' "$4" >&4 ;;
            signal)
              { read -r p < "$d/pid" && kill -"$4" "-$p"; } 2>/dev/null || { echo dead; exit 0; } ;;
            kill)
              read -r p < "$d/pid" 2>/dev/null || { echo dead; exit 0; }
              for s in /proc/[0-9]*/stat; do
                read -r l < "$s" 2>/dev/null || continue
                q=${s#/proc/}; q=${q%/stat}
                set -- ${l##*")"}
                [ "$3" = "$p" ] && [ "$q" != "$p" ] && kill -9 "$q" 2>/dev/null
              done ;;
            esac
            until [ -s "$d/r.$n" ]; do read -r x <&3; done
            read -r rc < "$d/r.$n"
            echo "rc $rc"
            """;

    /** Runs as {@code sh -c SCRIPT ember-tool DIR}: ends the session's shell (and its process group), makes a fresh directory. */
    private static final String CREATE = """
            d=$1
            { read -r p < "$d/pid" && kill -9 "-$p"; } 2>/dev/null
            rm -rf "$d" && mkdir -p "$d" && chmod 700 "$d" && mkfifo "$d/in" "$d/done"
            """;

    /** The shell itself: bash when the image has it, else the image's sh. */
    private static final String SHELL = "if [ -x /bin/bash ]; then exec /bin/bash --noprofile --norc 0<>\"$1/in\"; fi; "
            + "exec /bin/sh 0<>\"$1/in\"";

    /** How a command ended. */
    enum Ending { EXITED, SHELL_EXITED, INTERRUPTED, KILLED, SHELL_RESTARTED, SHELL_GONE }

    /**
     * @param status the command's exit status (130 when interrupted), or -1 when unknown
     * @param replaced the session's shell had ended before this command, which ran in a new one
     */
    record Outcome(Ending ending, int status, boolean replaced, byte[] head, byte[] tail, long totalBytes) {}

    private final GuestAgent agent;
    private final Map<String, String> env;
    private final String dir;

    GuestShell(GuestAgent agent, Map<String, String> env, String session) {
        this.agent = agent;
        this.env = env;
        this.dir = ROOT + "/" + session;
    }

    /** Ends the session's shell, if any, and starts a fresh one in /workspace. */
    void restart() throws AgentException {
        ExecResult r = exec(List.of("/bin/sh", "-c", CREATE, "ember-tool", dir), SETUP_TIMEOUT);
        if (r.exitCode != 0) {
            throw new AgentException(0, "preparing the shell's directory " + dir + " failed (exit status " + r.exitCode
                    + "): " + r.text().strip());
        }
        int pid = agent.spawn(new ExecRequest(List.of("/bin/sh", "-c", SHELL, "ember-shell", dir), env, "/workspace",
                null, false), dir + "/shell.log");
        agent.writeFile(dir + "/pid", 0600, new ByteArrayInputStream((pid + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Runs {@code command} in the shell, starting one first if the session has none (or its shell has ended:
     * the outcome says so). Keeps at most {@code headBytes} of the output's beginning and, beyond that,
     * {@code tailBytes} of its end.
     */
    Outcome run(String command, Duration timeout, int headBytes, int tailBytes) throws AgentException {
        String n = Long.toString(SEQ.incrementAndGet());
        boolean fresh = false, replaced = false;
        try {
            writeCommand(n, command);
        } catch (AgentException e) {
            if (e.channelBroken() || e.errno() != 2) throw e; // ENOENT: no session directory yet
            restart();
            fresh = true;
            writeCommand(n, command);
        }
        try {
            String line = line(n);
            ExecResult w = exec(List.of("/bin/sh", "-c", WAITER, "ember-tool", "run", dir, n, line), timeout);
            if (!w.timedOut && w.text().startsWith("dead") && !fresh) {
                restart();
                replaced = true;
                writeCommand(n, command);
                w = exec(List.of("/bin/sh", "-c", WAITER, "ember-tool", "run", dir, n, line), timeout);
            }
            Ending ending;
            int status;
            if (w.timedOut) {
                Stop stop = stop(n);
                ending = stop.ending;
                status = stop.status;
            } else {
                Status s = Status.parse(w.text());
                if (s == null) {
                    throw new AgentException(0, "the shell's waiter ended without a status (exit status " + w.exitCode
                            + "): " + clip(w.text()));
                }
                ending = s.dead ? Ending.SHELL_GONE : s.exit ? Ending.SHELL_EXITED : Ending.EXITED;
                status = s.status;
            }
            return output(n, ending, status, replaced, headBytes, tailBytes);
        } finally {
            cleanup(n);
        }
    }

    /** After a timeout: interrupt, then kill the command's processes, then replace the shell. */
    private Stop stop(String n) throws AgentException {
        ExecResult r = exec(List.of("/bin/sh", "-c", WAITER, "ember-tool", "signal", dir, n, "INT"), GRACE);
        Status s = r.timedOut ? null : Status.parse(r.text());
        if (s != null && s.dead) return new Stop(Ending.SHELL_GONE, -1);
        if (s != null) return new Stop(s.exit ? Ending.SHELL_EXITED : Ending.INTERRUPTED, s.status);
        if (s == null) {
            r = exec(List.of("/bin/sh", "-c", WAITER, "ember-tool", "kill", dir, n), GRACE);
            s = r.timedOut ? null : Status.parse(r.text());
            if (s != null && s.dead) return new Stop(Ending.SHELL_GONE, -1);
            if (s != null) return new Stop(s.exit ? Ending.SHELL_EXITED : Ending.KILLED, s.status);
        }
        restart();
        return new Stop(Ending.SHELL_RESTARTED, -1);
    }

    private record Stop(Ending ending, int status) {}

    /** The shell line for command n: the traps re-armed, the command sourced, its status saved, the waiter woken. */
    private String line(String n) {
        String c = dir + "/c." + n, o = dir + "/o." + n, r = dir + "/r." + n, done = dir + "/done";
        return "__ember_n=" + n + "; trap 'return 130' INT; trap 'echo \"$? exit\" >" + dir + "/r.$__ember_n; echo 1<>"
                + done + "' EXIT; { command . " + c + "; } </dev/null >" + o + " 2>&1; echo $? >" + r + "; echo 1<>" + done;
    }

    private void writeCommand(String n, String command) throws AgentException {
        agent.writeFile(dir + "/c." + n, 0600, new ByteArrayInputStream(command.getBytes(StandardCharsets.UTF_8)));
    }

    private Outcome output(String n, Ending ending, int status, boolean replaced, int headBytes, int tailBytes)
            throws AgentException {
        String o = dir + "/o." + n;
        BoundedSink head = new BoundedSink(headBytes);
        try {
            agent.readFile(o, head);
        } catch (AgentException e) {
            if (e.channelBroken()) throw e;
            if (!head.overflowed()) {
                if (e.errno() == 2) return new Outcome(ending, status, replaced, new byte[0], new byte[0], 0);
                throw e;
            }
        }
        if (!head.overflowed()) return new Outcome(ending, status, replaced, head.bytes(), new byte[0], head.bytes().length);
        long total = agent.stat(o).size();
        ExecResult t = exec(List.of("tail", "-c", Integer.toString(tailBytes), o), GRACE.multipliedBy(10), tailBytes);
        return new Outcome(ending, status, replaced, head.bytes(), t.stdout, total);
    }

    private void cleanup(String n) {
        for (String f : List.of("c.", "o.", "r.")) {
            try {
                agent.remove(dir + "/" + f + n, false);
            } catch (AgentException ignored) {
                // Gone already, or the channel broke: the next call finds out.
            }
        }
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** A waiter's answer: "rc STATUS", "rc STATUS exit" (the shell exited) or "dead" (no shell). */
    record Status(int status, boolean exit, boolean dead) {
        static Status parse(String out) {
            String s = out.strip();
            if (s.equals("dead")) return new Status(-1, false, true);
            String[] w = s.split("\\s+");
            if (w.length < 2 || w.length > 3 || !w[0].equals("rc") || !w[1].matches("\\d{1,3}")) return null;
            if (w.length == 3 && !w[2].equals("exit")) return null;
            return new Status(Integer.parseInt(w[1]), w.length == 3, false);
        }
    }

    private record ExecResult(int exitCode, boolean timedOut, byte[] stdout) {
        String text() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private ExecResult exec(List<String> argv, Duration timeout) throws AgentException {
        return exec(argv, timeout, MAX_WAITER_OUTPUT);
    }

    /** Runs argv to its end, keeping at most {@code cap} bytes of stdout (stderr is dropped). */
    private ExecResult exec(List<String> argv, Duration timeout, int cap) throws AgentException {
        Instant backstop = Instant.now().plus(timeout).plus(Duration.ofSeconds(15));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExecStream s = agent.exec(new ExecRequest(argv, env, "/", timeout, false))) {
            while (true) {
                ExecEvent e = s.next(Duration.ofSeconds(1));
                if (e == null) {
                    if (Instant.now().isAfter(backstop)) {
                        throw new AgentException(0, "the guest did not end " + argv.getFirst() + " after its timeout");
                    }
                    continue;
                }
                switch (e) {
                    case ExecEvent.Stdout o -> out.write(o.data(), 0, Math.max(0, Math.min(o.data().length, cap - out.size())));
                    case ExecEvent.Exit x -> {
                        return new ExecResult(x.exitCode(), x.timedOut(), out.toByteArray());
                    }
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted while running a tool command", false, e);
        }
    }
}
