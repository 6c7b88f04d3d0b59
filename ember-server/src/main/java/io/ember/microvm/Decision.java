package io.ember.microvm;

/** The outcome of an {@link Action} in a state. */
sealed interface Decision {

    /** Go to {@code to} (always an allowed transition). */
    record Move(MicrovmState to) implements Decision {}

    /** Nothing to do: the action is already done or overtaken (terminating twice, failing a terminated VM). */
    record Ignore() implements Decision {}

    /** The action is not allowed in this state; {@code message} tells the caller why. */
    record Refuse(String message) implements Decision {}
}
