package io.ember.image;

import io.ember.image.build.BuildFailure;
import io.ember.store.ImageBuildRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs builds one at a time, in the order they were asked for; watches the whole-build deadline. */
final class ImageBuilder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);
    static final String RESTARTED = "server restarted during the build";
    static final String STOPPED = "server stopped during the build";

    private final Images images;
    private final BuildMachines machines;
    private final BuildSettings settings;
    private final ExecutorService queue = Executors.newSingleThreadExecutor(r -> daemon(r, "image-builder"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "image-build-watchdog"));

    private volatile boolean closing;
    private volatile BuildRun running;

    ImageBuilder(Images images, BuildMachines machines, BuildSettings settings) {
        this.images = images;
        this.machines = machines;
        this.settings = settings;
    }

    /** After a restart: builds IN_PROGRESS fail (their VMM killed, leftovers removed); PENDING ones are queued again. */
    void recover() {
        for (ImageBuildRecord b : images.store.buildsIn("IN_PROGRESS")) {
            Path dir = images.versionDir(b.imageId(), b.version());
            if (b.vmmPid() != null) killIfOurs(b.vmmPid(), dir);
            BuildRun.removeLeftovers(dir);
            images.store.ended(b.id(), false, RESTARTED, null, null, null, null, Instant.now());
            log.info("build {} of {} v{} failed: {}", b.id(), b.imageId(), b.version(), RESTARTED);
        }
        for (ImageBuildRecord b : images.store.buildsIn("PENDING")) submit(b.id());
    }

    void submit(String buildId) {
        queue.execute(() -> {
            try {
                build(buildId);
            } catch (RuntimeException e) {
                log.error("build {} failed unexpectedly", buildId, e);
            }
        });
    }

    private void build(String buildId) {
        if (closing) return; // stays PENDING: the next server queues it again
        synchronized (images.lock) {
            if (!images.store.started(buildId, Instant.now())) return; // deleted while queued
        }
        ImageBuildRecord b = images.store.build(buildId).orElseThrow();
        BuildRun run = new BuildRun(images, machines, settings, b);
        running = run;
        if (closing) run.abort(STOPPED);
        ScheduledFuture<?> deadline = watchdog.schedule(() -> run.abort("the build took longer than "
                + settings.buildTimeout().toMinutes() + " min"), settings.buildTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            BuildRun.Result r = run.run();
            images.store.ended(buildId, true, null, r.memoryBytes(), r.codeBytes(), r.diskBytes(), Images.json(r.environment()),
                    Instant.now());
        } catch (BuildFailure e) {
            images.store.ended(buildId, false, e.getMessage(), null, null, null, null, Instant.now());
        } catch (RuntimeException e) {
            log.error("build {} crashed", buildId, e);
            images.store.ended(buildId, false, "internal error: " + e, null, null, null, null, Instant.now());
        } finally {
            deadline.cancel(false);
            running = null;
        }
    }

    /** Kills a build's VMM left by an earlier server, if {@code pid} is still a process of that version directory. */
    static void killIfOurs(long pid, Path versionDir) {
        ProcessHandle.of(pid).ifPresent(h -> {
            try {
                String cmd = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
                if (!cmd.contains(versionDir.toAbsolutePath().toString())) return;
            } catch (IOException e) {
                return;
            }
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("build VMM {} did not exit after SIGKILL: {}", pid, e.toString());
            }
        });
    }

    /** Queued builds stay PENDING for the next server; the running one fails now (its VM killed), not at the next start. */
    @Override
    public void close() {
        closing = true;
        queue.shutdown();
        BuildRun run = running;
        if (run != null) run.abort(STOPPED);
        try {
            if (!queue.awaitTermination(30, TimeUnit.SECONDS)) queue.shutdownNow(); // recover() fails it at the next start
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
