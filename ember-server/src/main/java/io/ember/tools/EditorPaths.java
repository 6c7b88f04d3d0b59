package io.ember.tools;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The editor's paths: under /workspace. A relative path is taken from /workspace; an absolute one must be in it
 * once {@code .} and {@code ..} are resolved (by name: a symbolic link inside /workspace may still lead out, the
 * shell can go anywhere anyway: this keeps the model's edits where its work is, it is not a security boundary).
 */
final class EditorPaths {
    static final String WORKSPACE = "/workspace";
    private static final int MAX_BYTES = 4096;

    private EditorPaths() {}

    static String resolve(String raw) throws ToolError {
        if (raw == null || raw.isBlank()) throw new ToolError("Parameter `path` is required.");
        if (raw.indexOf('\0') >= 0) throw new ToolError("The path must not contain NUL characters.");
        if (raw.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) throw new ToolError("The path is longer than " + MAX_BYTES + " bytes.");
        String p = normalize(raw.startsWith("/") ? raw : WORKSPACE + "/" + raw);
        if (!p.equals(WORKSPACE) && !p.startsWith(WORKSPACE + "/")) {
            throw new ToolError("The path " + raw + " is outside " + WORKSPACE + ": this editor works on files under "
                    + WORKSPACE + " (a relative path is taken from " + WORKSPACE + ").");
        }
        return p;
    }

    /** {@code p} (absolute) without empty, {@code .} and {@code ..} parts. */
    static String normalize(String p) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
