package io.ember.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * @param env the whole environment of the process (the agent passes nothing else)
 * @param timeout null or zero for none
 * @param stdin true when the caller will write stdin (else it is /dev/null)
 */
public record ExecRequest(List<String> argv, Map<String, String> env, String cwd, Duration timeout, boolean stdin) {
    public ExecRequest {
        if (argv == null || argv.isEmpty()) throw new IllegalArgumentException("argv must not be empty");
        argv = List.copyOf(argv);
        env = Map.copyOf(env == null ? Map.of() : env);
    }
}
