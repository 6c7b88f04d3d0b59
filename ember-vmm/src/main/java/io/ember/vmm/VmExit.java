package io.ember.vmm;

/** How a VMM process ended. {@code requested} is true when {@link Vm#terminate} asked for it. */
public record VmExit(int exitCode, boolean requested, String reason) {}
