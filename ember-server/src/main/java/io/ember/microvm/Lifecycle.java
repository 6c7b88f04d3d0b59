package io.ember.microvm;

/** The decision table: what an action does in a state. Pure; the engine applies the result. */
final class Lifecycle {
    private Lifecycle() {}

    /** @param current null for a microVM that does not exist yet */
    static Decision decide(MicrovmState current, Action action) {
        Decision d = switch (action) {
            case Action.Run r -> current == null ? new Decision.Move(MicrovmState.PENDING)
                    : new Decision.Refuse("the microVM already exists");
            case Action.Booted b -> switch (current) {
                case PENDING -> new Decision.Move(MicrovmState.RUNNING);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("boot completed in state " + current);
            };
            case Action.Terminate t -> switch (current) {
                case PENDING, RUNNING -> new Decision.Move(MicrovmState.TERMINATING);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("a " + current + " microVM cannot be terminated yet");
            };
            case Action.Fail f -> switch (current) {
                case PENDING, RUNNING -> new Decision.Move(MicrovmState.TERMINATED);
                case TERMINATING, TERMINATED -> new Decision.Ignore();
                case null, default -> new Decision.Refuse("failure in state " + current);
            };
            case Action.Stopped s -> current == MicrovmState.TERMINATING
                    ? new Decision.Move(MicrovmState.TERMINATED)
                    : new Decision.Refuse("stopped in state " + current);
        };
        if (d instanceof Decision.Move(MicrovmState to) && current != null && !current.canMoveTo(to)) {
            throw new IllegalStateException("decision table allows " + current + " -> " + to);
        }
        return d;
    }
}
