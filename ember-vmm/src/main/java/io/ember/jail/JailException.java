package io.ember.jail;

/** A jail could not be prepared (ids exhausted, a cgroup refused, files that cannot be handed to the VM). */
public class JailException extends Exception {
    public JailException(String message) { super(message); }
    public JailException(String message, Throwable cause) { super(message, cause); }
}
