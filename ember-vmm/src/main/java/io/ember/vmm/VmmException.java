package io.ember.vmm;

/** The VMM could not do what was asked (process failed to start, QMP refused, files missing). */
public class VmmException extends Exception {
    public VmmException(String message) { super(message); }
    public VmmException(String message, Throwable cause) { super(message, cause); }
}
