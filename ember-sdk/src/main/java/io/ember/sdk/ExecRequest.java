package io.ember.sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command to run in a microVM: an argv ({@link #command(String...)}) or a {@code /bin/sh -c} string
 * ({@link #shell(String)}), exactly one. {@code env} is added to the guest's default environment;
 * {@code stdin} (sent base64) is fed to the process, then closed; {@code timeoutSeconds} is 1 to 86400
 * (server default 3600). {@code secretEnvironment} maps variable names to secret names, resolved on the host
 * through the microVM's execution role when the command starts (the values never travel in the request).
 * Null fields are left out.
 */
public record ExecRequest(List<String> command, String shell, Map<String, String> env,
                          String workingDirectory, byte[] stdin, Integer timeoutSeconds,
                          Map<String, String> secretEnvironment) {

    public ExecRequest {
        if ((command == null) == (shell == null)) {
            throw new IllegalArgumentException("give exactly one of command (argv) or shell (string)");
        }
        if (command != null && command.isEmpty()) throw new IllegalArgumentException("command is empty");
        command = command == null ? null : List.copyOf(command);
        env = env == null ? null : Map.copyOf(env);
        secretEnvironment = secretEnvironment == null || secretEnvironment.isEmpty() ? null : Map.copyOf(secretEnvironment);
    }

    /** Without secret references (the shape before secrets existed). */
    public ExecRequest(List<String> command, String shell, Map<String, String> env, String workingDirectory,
                       byte[] stdin, Integer timeoutSeconds) {
        this(command, shell, env, workingDirectory, stdin, timeoutSeconds, null);
    }

    public static ExecRequest command(String... argv) {
        return command(List.of(argv));
    }

    public static ExecRequest command(List<String> argv) {
        return new ExecRequest(argv, null, null, null, null, null, null);
    }

    public static ExecRequest shell(String script) {
        return new ExecRequest(null, script, null, null, null, null, null);
    }

    public ExecRequest withEnv(Map<String, String> vars) {
        return new ExecRequest(command, shell, vars, workingDirectory, stdin, timeoutSeconds, secretEnvironment);
    }

    /** Adds one variable to {@code env}. */
    public ExecRequest withEnv(String name, String value) {
        return withEnv(plus(env, name, value));
    }

    public ExecRequest withWorkingDirectory(String dir) {
        return new ExecRequest(command, shell, env, dir, stdin, timeoutSeconds, secretEnvironment);
    }

    public ExecRequest withStdin(byte[] input) {
        return new ExecRequest(command, shell, env, workingDirectory, input, timeoutSeconds, secretEnvironment);
    }

    public ExecRequest withTimeoutSeconds(Integer seconds) {
        return new ExecRequest(command, shell, env, workingDirectory, stdin, seconds, secretEnvironment);
    }

    /** Variables whose values are the named secrets ({@code ENV_NAME -> secret name}), read through the microVM's role. */
    public ExecRequest withSecretEnvironment(Map<String, String> references) {
        return new ExecRequest(command, shell, env, workingDirectory, stdin, timeoutSeconds, references);
    }

    /** Adds one secret reference to {@code secretEnvironment}. */
    public ExecRequest withSecretEnvironment(String name, String secretName) {
        return withSecretEnvironment(plus(secretEnvironment, name, secretName));
    }

    /** A copy of {@code map} (null: none) with {@code name} set, in insertion order. */
    private static Map<String, String> plus(Map<String, String> map, String name, String value) {
        Map<String, String> merged = new LinkedHashMap<>(map == null ? Map.of() : map);
        merged.put(name, value);
        return merged;
    }
}
