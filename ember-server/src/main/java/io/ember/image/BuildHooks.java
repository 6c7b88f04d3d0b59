package io.ember.image;

import io.ember.agent.GuestAgent;
import io.ember.hooks.HookCall;
import io.ember.hooks.Hooks;
import io.ember.hooks.Hooks.Hook;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.BuildLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The image hooks of a build (docs/hooks.md, "Build hooks"), as AWS calls them: {@code ready} in the template VM once
 * the application is up, {@code validate} in a test microVM started from the saved snapshot. Each is polled: a 2xx
 * answer is success; {@code 503} (the application needs more time), no answer or nothing listening yet are asked again
 * every {@link #RETRY} until the hook's timeout; any other status fails the build at once.
 */
final class BuildHooks {
    static final Duration RETRY = Duration.ofMillis(200);
    /** The status by which an application says "not yet, ask again" (AWS's hook contract). */
    static final int NOT_YET = 503;

    private final Hooks hooks;
    private final BuildLog log;
    private final String buildId;

    BuildHooks(Hooks hooks, BuildLog log, String buildId) {
        this.hooks = hooks;
        this.log = log;
        this.buildId = buildId;
    }

    boolean validateEnabled() {
        return hooks.isEnabled(Hook.VALIDATE);
    }

    /** The ready hook in the template VM; nothing when it is not ENABLED. */
    void ready(GuestAgent agent) throws BuildFailure {
        poll(Hook.READY, agent);
    }

    /** The validate hook in the test microVM; nothing when it is not ENABLED. */
    void validate(GuestAgent agent) throws BuildFailure {
        poll(Hook.VALIDATE, agent);
    }

    private void poll(Hook hook, GuestAgent agent) throws BuildFailure {
        Duration timeout = hooks.timeout(hook).orElse(null);
        if (timeout == null) return;
        String name = hook.fieldName();
        log.line(name + " hook: POST " + hooks.path(hook) + " on port " + hooks.port() + " until it answers 2xx (503: asked "
                + "again), within " + timeout.toSeconds() + " s");
        long t0 = System.nanoTime(), deadline = t0 + timeout.toNanos();
        int attempts = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            HookCall.Outcome o = call(hook, agent, Duration.ofNanos(Math.max(left, 1_000_000)));
            attempts++;
            if (o.ok()) {
                log.line(name + " hook " + o.message() + " (attempt " + attempts + ", " + (System.nanoTime() - t0) / 1_000_000
                        + " ms after the first)");
                return;
            }
            if (o.status() != 0 && o.status() != NOT_YET) {
                throw new BuildFailure(name + " hook failed: " + o.message() + " (only 2xx, or 503 to be asked again, "
                        + "are accepted)");
            }
            if (deadline - System.nanoTime() <= RETRY.toNanos()) {
                throw new BuildFailure(name + " hook did not answer 2xx within " + timeout.toSeconds() + " s (" + attempts
                        + " attempts; the last " + o.message() + ")");
            }
            try {
                Thread.sleep(RETRY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailure("interrupted");
            }
        }
    }

    private HookCall.Outcome call(Hook hook, GuestAgent agent, Duration timeout) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Ember-Image-Build-Id", buildId);
        h.put("X-Ember-Hook", hook.fieldName());
        return HookCall.post(agent, hooks.port(), hooks.path(hook), h, new byte[0], timeout);
    }
}
