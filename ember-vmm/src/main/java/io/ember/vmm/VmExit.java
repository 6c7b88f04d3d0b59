package io.ember.vmm;

/** How a VMM process ended. {@code requested} is true when {@link Vm#terminate} asked for it. */
public record VmExit(int exitCode, boolean requested, String reason) {
    /** How {@link #reason} begins when the guest's kernel panicked (its console said so just before the end). */
    public static final String GUEST_PANICKED = "the guest kernel panicked";

    public boolean guestPanicked() {
        return reason != null && reason.startsWith(GUEST_PANICKED);
    }
}
