package io.ember.store;

/**
 * What a transition does to a microVM's metered intervals, written in the transition's transaction.
 *
 * @param close close the open interval at the event's time
 * @param open the interval opened at the event's time (its start is the event's), or null
 */
public record UsageChange(boolean close, UsageRecord open) {
    /** The open interval goes on (same kind before and after). */
    public static final UsageChange NONE = new UsageChange(false, null);

    public static UsageChange closeOnly() {
        return new UsageChange(true, null);
    }

    public static UsageChange closeAndOpen(UsageRecord next) {
        return new UsageChange(true, next);
    }
}
