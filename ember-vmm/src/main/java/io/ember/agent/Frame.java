package io.ember.agent;

/** One frame; {@code stream} is the unsigned 32-bit id held in an int. */
record Frame(int stream, int type, byte[] payload) {

    Frame {
        if (payload == null) payload = new byte[0];
    }

    int length() {
        return payload.length;
    }

    String describe() {
        return Proto.name(type) + " on stream " + Integer.toUnsignedString(stream);
    }
}
