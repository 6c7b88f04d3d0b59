package io.ember.microvm;

import static io.ember.microvm.MicrovmState.PENDING;
import static io.ember.microvm.MicrovmState.RUNNING;
import static io.ember.microvm.MicrovmState.SUSPENDED;
import static io.ember.microvm.MicrovmState.SUSPENDING;
import static io.ember.microvm.MicrovmState.TERMINATED;
import static io.ember.microvm.MicrovmState.TERMINATING;

/** The decision table: what an action does in a state. Pure; the engine applies the result. */
final class Lifecycle {
    private Lifecycle() {}

    /** @param current null for a microVM that does not exist yet */
    static Decision decide(MicrovmState current, Action action) {
        Decision d = switch (action) {
            case Action.Run r -> current == null ? new Decision.Move(PENDING)
                    : new Decision.Refuse("the microVM already exists");
            case Action.Booted b -> switch (current) {
                case PENDING -> new Decision.Move(RUNNING);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("boot completed in state " + current);
            };
            case Action.Suspend s -> switch (current) {
                case RUNNING -> new Decision.Move(SUSPENDING);
                case SUSPENDING, SUSPENDED -> new Decision.Ignore();
                case PENDING -> new Decision.Refuse("it is still starting; suspend it once it is RUNNING");
                case null, default -> new Decision.Refuse("only a RUNNING microVM can be suspended");
            };
            case Action.Saved s -> current == SUSPENDING ? new Decision.Move(SUSPENDED)
                    : new Decision.Refuse("saved in state " + current);
            case Action.SaveFailed s -> current == SUSPENDING ? new Decision.Move(RUNNING)
                    : new Decision.Refuse("save failed in state " + current);
            case Action.ResumeFailed f -> current == PENDING ? new Decision.Move(SUSPENDED)
                    : new Decision.Refuse("resume failed in state " + current);
            case Action.Resume r -> switch (current) {
                case SUSPENDED -> new Decision.Move(PENDING);
                case PENDING, RUNNING -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("only a SUSPENDED microVM can be resumed");
            };
            case Action.Terminate t -> switch (current) {
                case PENDING, RUNNING, SUSPENDED -> new Decision.Move(TERMINATING);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("a " + current + " microVM cannot be terminated yet");
            };
            case Action.Fail f -> switch (current) {
                case PENDING, RUNNING, SUSPENDING, SUSPENDED -> new Decision.Move(TERMINATED);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null -> new Decision.Refuse("failure of a microVM that does not exist");
            };
            case Action.Stopped s -> current == TERMINATING ? new Decision.Move(TERMINATED)
                    : new Decision.Refuse("stopped in state " + current);
        };
        if (d instanceof Decision.Move(MicrovmState to) && current != null && !current.canMoveTo(to)) {
            throw new IllegalStateException("decision table allows " + current + " -> " + to);
        }
        return d;
    }
}
