package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ExecResult;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What the reliability benchmarks check in a guest: a file of random bytes written through the API (its SHA-256 known
 * on the host) and a process that counts in its own memory, so a resumed guest proves both its disk and page cache
 * (the file) and its processes' memory (the counter goes on, same pid) came back.
 */
final class GuestProbe {
    static final String FILE = "/workspace/probe.bin";
    /**
     * A shell that increments a variable and writes it out every 100 ms: the value lives in the process's memory. Written
     * aside and renamed, so a reader never sees the file empty between the truncation and the write.
     */
    private static final String COUNTER = "setsid sh -c 'echo $$ > /tmp/counter.pid; i=0;"
            + " while true; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done'"
            + " </dev/null >/dev/null 2>&1 &"
            + " for i in $(seq 1 100); do test -s /tmp/counter && exit 0; sleep 0.1; done; exit 1";
    private static final String CHECK = "sha256sum " + FILE + " | cut -c1-64; cat /tmp/counter;"
            + " kill -0 $(cat /tmp/counter.pid) && echo alive";

    /** A call that has not answered by then counts as failed, so one hung call cannot stop a whole run. */
    private static final int CALL_SECONDS = Integer.getInteger("bench.callSeconds", 180);
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "probe-call");
        t.setDaemon(true);
        return t;
    });
    private final Supplier<EmberClient> clients;
    private final String id;
    private final Random random;
    private final int fileBytes;
    private String expectedSha;
    private long lastCounter;

    /** {@code clients} gives the current server's client: the crash benchmark restarts the server under a probe. */
    GuestProbe(Supplier<EmberClient> clients, String id, Random random, int fileBytes) {
        this.clients = clients;
        this.id = id;
        this.random = random;
        this.fileBytes = fileBytes;
    }

    String id() {
        return id;
    }

    /** Starts the counting process (once per microVM). */
    void startCounter() {
        ExecResult r = bounded("exec (start the counter)", () -> clients.get().execAndWait(id, ExecRequest.shell(COUNTER)));
        if (r.exitCode() != 0) throw new IllegalStateException("counter did not start in " + id + ": " + r.stderrText());
    }

    /** Writes a new file of random bytes and remembers its hash and the counter's value (to be seen again later). */
    void writeFresh() {
        byte[] bytes = new byte[fileBytes];
        random.nextBytes(bytes);
        bounded("upload", () -> clients.get().uploadFile(id, FILE, new ByteArrayInputStream(bytes), 0644));
        expectedSha = sha256(bytes);
        Verdict v = check();
        if (!v.intact()) throw new IllegalStateException("probe unreadable right after writing it in " + id + ": " + v);
    }

    /** Reads the file's hash and the counter back; intact when the hash matches and the same process counted on. */
    Verdict check() {
        ExecResult r = bounded("exec (check)", () -> clients.get().execAndWait(id, ExecRequest.shell(CHECK)));
        String[] lines = r.stdoutText().split("\n");
        boolean fileOk = lines.length > 0 && lines[0].equals(expectedSha);
        long counter = lines.length > 1 ? parse(lines[1]) : -1;
        boolean alive = lines.length > 2 && lines[2].equals("alive");
        boolean counterOk = alive && counter >= lastCounter;
        if (counterOk) lastCounter = counter;
        return new Verdict(fileOk, counterOk, counter, r.stdoutText().trim() + r.stderrText().trim());
    }

    private <T> T bounded(String what, Supplier<T> call) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(call, CALLS);
        try {
            return f.get(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException(what + " in " + id + " did not answer in " + CALL_SECONDS + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Verdict(boolean fileOk, boolean counterOk, long counter, String raw) {
        boolean intact() {
            return fileOk && counterOk;
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
