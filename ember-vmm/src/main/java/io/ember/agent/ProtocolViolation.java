package io.ember.agent;

/** The guest broke docs/agent-protocol.md; the channel is finished. */
final class ProtocolViolation extends Exception {
    ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
