package io.ember.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * @param env the whole environment of the process (the agent passes nothing else)
 * @param timeout null or zero for none
 * @param stdin true when the caller will write stdin (else it is /dev/null)
 * @param user null for root; else a user name or uid, optionally {@code :group} or {@code :gid}, resolved by the
 *     agent from the guest's /etc/passwd and /etc/group (Dockerfile {@code USER} semantics)
 * @param terminal null for pipes; else the process runs on a pseudo-terminal of this size (its stdin is the
 *     terminal whatever {@code stdin} says, its stderr comes out as stdout; the agent needs the {@code pty} feature)
 */
public record ExecRequest(List<String> argv, Map<String, String> env, String cwd, Duration timeout, boolean stdin,
                          String user, Terminal terminal) {
    public ExecRequest {
        if (argv == null || argv.isEmpty()) throw new IllegalArgumentException("argv must not be empty");
        argv = List.copyOf(argv);
        env = Map.copyOf(env == null ? Map.of() : env);
        if (user != null && (user.isEmpty() || user.length() > 64)) throw new IllegalArgumentException("bad user");
    }

    /** Without a terminal. */
    public ExecRequest(List<String> argv, Map<String, String> env, String cwd, Duration timeout, boolean stdin,
                       String user) {
        this(argv, env, cwd, timeout, stdin, user, null);
    }

    /** As root. */
    public ExecRequest(List<String> argv, Map<String, String> env, String cwd, Duration timeout, boolean stdin) {
        this(argv, env, cwd, timeout, stdin, null, null);
    }

    /** This request on a terminal of {@code terminal}'s size. */
    public ExecRequest withTerminal(Terminal terminal) {
        return new ExecRequest(argv, env, cwd, timeout, stdin, user, terminal);
    }
}
