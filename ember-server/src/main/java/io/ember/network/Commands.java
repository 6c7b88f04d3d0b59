package io.ember.network;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ip(8) and nft(8): each call bounded in time and output, a failure a NetworkException with the tool's words. */
final class Commands {
    private static final long TIMEOUT_SECONDS = 20;

    private Commands() {}

    /** Runs {@code argv} with {@code stdin} (may be null); returns its output. */
    static String run(List<String> argv, String stdin) {
        return run(argv, stdin, true);
    }

    /** As {@link #run(List, String)}; {@code check} false: a non-zero exit is not an error (idempotent deletes). */
    static String run(List<String> argv, String stdin, boolean check) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new NetworkException(argv.getFirst() + " cannot be started (" + e.getMessage()
                    + "): install iproute2 and nftables (bin/ember setup does)");
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readNBytes(256 * 1024);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetworkException(String.join(" ", argv) + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            if (check && p.exitValue() != 0)
                throw new NetworkException(String.join(" ", argv.subList(0, Math.min(argv.size(), 6))) + " failed (exit "
                        + p.exitValue() + "): " + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text));
            return text;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new NetworkException(argv.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetworkException(argv.getFirst() + " interrupted");
        }
    }

    /** {@code nft -f -} inside the named namespace (or the host's when null). */
    static void nft(String namespace, String ruleset) {
        run(namespace == null ? List.of("nft", "-f", "-") : List.of("ip", "netns", "exec", namespace, "nft", "-f", "-"), ruleset);
    }
}
