package io.ember.microvm;

import io.ember.agent.GuestAgent;
import io.ember.hooks.HookCall;
import io.ember.hooks.Hooks;
import io.ember.hooks.Hooks.Hook;
import io.ember.store.EventRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a microVM's lifecycle hooks (docs/hooks.md) and records each outcome as a HOOK event that moves nothing.
 * A hook is part of the lifecycle step it belongs to, called in that step's state (PENDING, SUSPENDING, TERMINATING)
 * and without the machine's lock: a hook that hangs holds no request past its own deadline. The rule on failure is the
 * caller's; only the run hook's failure stops anything (the caller terminates the microVM).
 */
final class MachineHooks {
    private static final Logger log = LoggerFactory.getLogger(MachineHooks.class);
    static final String MICROVM_HEADER = "X-Ember-Microvm-Id", HOOK_HEADER = "X-Ember-Hook";

    private final Engine engine;

    MachineHooks(Engine engine) {
        this.engine = engine;
    }

    /**
     * The run hook of a microVM cloned from its image's snapshot, with its runHookPayload; the payload is then
     * forgotten. Empty when it succeeded or is not ENABLED; else the reason to terminate the microVM with.
     */
    Optional<String> run(Machine m, GuestAgent agent) {
        String payload = m.launch.runHookPayload();
        HookCall.Outcome o = call(m, Hook.RUN, agent, payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8),
                "the microVM is terminated");
        if (o == null) return Optional.empty();
        if (!engine.closing()) engine.store.clearRunHookPayload(m.id);
        return o.ok() ? Optional.empty() : Optional.of("run hook failed: " + o.message());
    }

    /** Whether a run hook outcome is already recorded (a restart after it, before RUNNING): it is not called twice. */
    boolean runCalled(Machine m) {
        return engine.store.events(m.id).stream()
                .anyMatch(e -> e.cause().equals(Cause.HOOK.name()) && e.message() != null && e.message().startsWith("run hook "));
    }

    /**
     * Before the snapshot of a suspend. As AWS documents it, the application answers 200 once it is ready to be
     * suspended, and an idle microVM whose hook fails is not suspended ({@code abandonOnFailure}): false is returned,
     * the caller puts it back to RUNNING and the idle policy asks again after another idle period. A suspend someone
     * asked for (SuspendMicrovm) goes on whatever the hook says: true.
     */
    boolean suspend(Machine m, GuestAgent agent, boolean abandonOnFailure) {
        HookCall.Outcome o = call(m, Hook.SUSPEND, agent, new byte[0],
                abandonOnFailure ? "the microVM is not suspended (the idle policy asks again after another idle period)"
                        : "the suspend goes on");
        return o == null || o.ok() || !abandonOnFailure;
    }

    /** After a restore, before RUNNING; a failure is recorded and the microVM runs on. */
    void resume(Machine m, GuestAgent agent) {
        call(m, Hook.RESUME, agent, new byte[0], "the microVM runs on");
    }

    /**
     * Before the VMM is stopped, when the microVM was RUNNING ({@code from}); a SUSPENDED microVM is not woken for it,
     * and one still PENDING has no application ready yet: both are recorded as skipped.
     */
    void terminate(Machine m, MicrovmState from) {
        Hooks hooks = m.launch.hooks();
        if (!hooks.isEnabled(Hook.TERMINATE)) return;
        GuestAgent agent = m.agent;
        if (from == MicrovmState.RUNNING && agent != null) {
            call(m, Hook.TERMINATE, agent, new byte[0], "the termination goes on");
        } else {
            record(m, "terminate hook skipped: the microVM was " + from
                    + (from == MicrovmState.SUSPENDED ? " and is not woken for it" : " (its application was not ready)"));
        }
    }

    /** Recorded when a launch cannot call an ENABLED run hook (a cold boot does not start the application). */
    void runSkipped(String microvmId, MicrovmState state, String why) {
        engine.store.addEvent(new EventRecord(microvmId, Instant.now(), state.name(), state.name(), Cause.HOOK.name(),
                "run hook skipped: " + why));
    }

    /** Null when the hook is not ENABLED; else its outcome, recorded (unless the server is stopping). */
    private HookCall.Outcome call(Machine m, Hook hook, GuestAgent agent, byte[] body, String rule) {
        Hooks hooks = m.launch.hooks();
        if (!hooks.isEnabled(hook)) return null;
        var timeout = hooks.timeout(hook).orElseThrow();
        HookCall.Outcome o = HookCall.post(agent, hooks.port(), hooks.path(hook),
                Map.of(MICROVM_HEADER, m.id, HOOK_HEADER, hook.fieldName()), body, timeout);
        if (engine.closing()) return o; // interrupted by the stop: the next server calls it again where it applies
        String name = hook.fieldName() + " hook ";
        String message = o.ok() ? name + o.message() : name + "failed: " + o.message() + "; " + rule;
        if (o.ok()) log.info("{} {}", m.id, message);
        else log.warn("{} {}", m.id, message);
        record(m, message);
        return o;
    }

    private void record(Machine m, String message) {
        String state = m.state.name();
        engine.store.addEvent(new EventRecord(m.id, Instant.now(), state, state, Cause.HOOK.name(), message));
    }
}
