package io.ember.api;

/** Paths inside the guest as the extensions take them: absolute, or relative to /workspace. */
final class GuestPaths {
    static final String WORKSPACE = "/workspace";
    private static final int MAX_BYTES = 4096;

    private GuestPaths() {}

    /** The absolute guest path for {@code raw}; ValidationException naming {@code field} when unusable. */
    static String resolve(String raw, String field) {
        if (raw == null) throw ApiException.validation(field + " is required");
        if (raw.isEmpty()) throw ApiException.validation(field + " must not be empty");
        if (raw.indexOf('\0') >= 0) throw ApiException.validation(field + " must not contain NUL characters");
        String p = raw.startsWith("/") ? raw : WORKSPACE + "/" + raw;
        if (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.validation(field + " must be at most " + MAX_BYTES + " bytes");
        }
        return p;
    }

    /**
     * True when {@code path} names the root directory lexically ({@code /}, {@code //}, {@code /.},
     * {@code /workspace/../}): the guest refuses to remove it, and the caller's error is known here.
     */
    static boolean isRoot(String path) {
        int depth = 0;
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            depth = part.equals("..") ? Math.max(0, depth - 1) : depth + 1;
        }
        return depth == 0;
    }
}
