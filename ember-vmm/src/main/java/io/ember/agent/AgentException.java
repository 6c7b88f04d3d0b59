package io.ember.agent;

/**
 * A call failed. {@link #errno()} is the guest's Linux errno when the guest reported the error
 * (ENOENT = 2, EISDIR = 21, ...), or 0 when the channel itself failed (see {@link #channelBroken()}).
 */
public class AgentException extends Exception {
    private final int errno;
    private final boolean channelBroken;

    public AgentException(int errno, String message) {
        super(message);
        this.errno = errno;
        this.channelBroken = false;
    }

    public AgentException(String message, boolean channelBroken, Throwable cause) {
        super(message, cause);
        this.errno = 0;
        this.channelBroken = channelBroken;
    }

    public int errno() { return errno; }

    /** True when the agent channel is unusable (violation, EOF, deadline): the VM should be failed. */
    public boolean channelBroken() { return channelBroken; }
}
