package io.ember.image;

import io.ember.agent.GuestAgent;
import io.ember.hooks.HookCall;
import io.ember.hooks.Hooks;
import io.ember.hooks.Hooks.Hook;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.BuildLog;
import java.time.Duration;
import java.util.Map;

/**
 * The image hooks of a build (docs/hooks.md), called in the template VM: {@code ready} after the application is up,
 * retried until it answers 2xx within its timeout; {@code validate} once, just before the snapshot. Either failing
 * fails the build.
 */
final class BuildHooks {
    static final Duration READY_RETRY = Duration.ofMillis(200);

    private final GuestAgent agent;
    private final Hooks hooks;
    private final BuildLog log;
    private final Map<String, String> headers;

    BuildHooks(GuestAgent agent, Hooks hooks, BuildLog log, String buildId) {
        this.agent = agent;
        this.hooks = hooks;
        this.log = log;
        this.headers = Map.of("X-Ember-Image-Build-Id", buildId);
    }

    void ready() throws BuildFailure {
        Duration timeout = hooks.timeout(Hook.READY).orElse(null);
        if (timeout == null) return;
        log.line("ready hook: POST " + Hook.READY.path() + " on port " + hooks.port() + " until it answers 2xx, within "
                + timeout.toSeconds() + " s");
        long t0 = System.nanoTime(), deadline = t0 + timeout.toNanos();
        int attempts = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            HookCall.Outcome o = call(Hook.READY, Duration.ofNanos(Math.max(left, 1_000_000)));
            attempts++;
            if (o.ok()) {
                log.line("ready hook " + o.message() + " (attempt " + attempts + ", " + (System.nanoTime() - t0) / 1_000_000
                        + " ms after the first)");
                return;
            }
            if (deadline - System.nanoTime() <= READY_RETRY.toNanos()) {
                throw new BuildFailure("ready hook did not answer 2xx within " + timeout.toSeconds() + " s (" + attempts
                        + " attempts; the last " + o.message() + ")");
            }
            try {
                Thread.sleep(READY_RETRY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailure("interrupted");
            }
        }
    }

    void validate() throws BuildFailure {
        Duration timeout = hooks.timeout(Hook.VALIDATE).orElse(null);
        if (timeout == null) return;
        HookCall.Outcome o = call(Hook.VALIDATE, timeout);
        if (!o.ok()) throw new BuildFailure("validate hook failed: " + o.message());
        log.line("validate hook " + o.message());
    }

    private HookCall.Outcome call(Hook hook, Duration timeout) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put("X-Ember-Hook", hook.fieldName());
        return HookCall.post(agent, hooks.port(), hook.path(), h, new byte[0], timeout);
    }
}
