package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.ExecRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed exec request body (docs/api.md): what to run and the stdin to feed it, if any. The process's
 * environment is the defaults, then the image's environment, then the request's {@code env}, then the values of its
 * {@code secretEnvironment} (variable → secret name), which the host resolves at the moment of use.
 */
record ExecCall(ExecRequest request, Map<String, String> env, byte[] stdin, Map<String, String> secretEnvironment) {
    static final int MAX_SECRET_REFERENCES = 100;
    static final int DEFAULT_TIMEOUT_SECONDS = 3600;
    static final int MAX_TIMEOUT_SECONDS = 86_400;
    static final Map<String, String> DEFAULT_ENV = defaults();

    static ExecCall parse(ObjectNode body) {
        List<String> command = Fields.strings(body, "command", 10_000, 1 << 20);
        String shell = Fields.string(body, "shell", false, 1 << 20);
        if (command == null && shell == null) throw ApiException.validation("command (argv) or shell is required");
        if (command != null && shell != null) throw ApiException.validation("give command or shell, not both");
        if (command != null && command.isEmpty()) throw ApiException.validation("command must not be empty");
        if (command != null && command.getFirst().isEmpty()) throw ApiException.validation("command[0] must not be empty");
        if (shell != null && shell.isEmpty()) throw ApiException.validation("shell must not be empty");
        List<String> argv = command != null ? command : List.of("/bin/sh", "-c", shell);

        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> extra = Fields.stringMap(body, "env", 1_000, 1 << 17);
        if (extra != null) {
            extra.forEach((k, v) -> {
                if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                    throw ApiException.validation("env name '" + k + "' is invalid (empty, or contains = or NUL)");
                }
                if (v.indexOf('\0') >= 0) throw ApiException.validation("env." + k + " must not contain NUL characters");
                env.put(k, v);
            });
        }
        Map<String, String> secretEnv = Fields.stringMap(body, "secretEnvironment", MAX_SECRET_REFERENCES, 128);
        if (secretEnv == null) secretEnv = Map.of();
        secretEnv.forEach((k, v) -> {
            if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                throw ApiException.validation("secretEnvironment name '" + k + "' is invalid (empty, or contains = or NUL)");
            }
            if (v.isEmpty()) throw ApiException.validation("secretEnvironment." + k + " must name a secret");
            if (env.containsKey(k)) throw ApiException.validation(k + " is in both env and secretEnvironment");
        });
        String cwdRaw = Fields.string(body, "workingDirectory", false, 4096);
        String cwd = cwdRaw == null ? GuestPaths.WORKSPACE : GuestPaths.resolve(cwdRaw, "workingDirectory");
        Integer timeout = Fields.integer(body, "timeoutSeconds", false, 1, MAX_TIMEOUT_SECONDS);
        byte[] stdin = null;
        String stdinB64 = Fields.string(body, "stdin", false, Json.MAX_BODY_BYTES);
        if (stdinB64 != null) {
            try {
                stdin = Base64.getDecoder().decode(stdinB64);
            } catch (IllegalArgumentException e) {
                throw ApiException.validation("stdin must be base64: " + e.getMessage());
            }
        }
        Duration t = Duration.ofSeconds(timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout);
        Map<String, String> all = new LinkedHashMap<>(DEFAULT_ENV);
        all.putAll(env);
        return new ExecCall(new ExecRequest(argv, all, cwd, t, stdin != null), Map.copyOf(env), stdin,
                Collections.unmodifiableMap(new LinkedHashMap<>(secretEnv)));
    }

    /** The request with {@code imageEnv} between the defaults and the request's own variables. */
    ExecRequest request(Map<String, String> imageEnv) {
        return request(imageEnv, Map.of());
    }

    /** As {@link #request(Map)}, with the resolved {@code secrets} (variable → value) last. */
    ExecRequest request(Map<String, String> imageEnv, Map<String, String> secrets) {
        if (imageEnv.isEmpty() && secrets.isEmpty()) return request;
        Map<String, String> all = new LinkedHashMap<>(DEFAULT_ENV);
        all.putAll(imageEnv);
        all.putAll(env);
        all.putAll(secrets);
        return new ExecRequest(request.argv(), all, request.cwd(), request.timeout(), request.stdin(), request.user());
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        m.put("HOME", "/root");
        m.put("TERM", "xterm");
        m.put("LANG", "C.UTF-8");
        return Map.copyOf(m);
    }
}
