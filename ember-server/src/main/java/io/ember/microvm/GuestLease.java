package io.ember.microvm;

import io.ember.agent.GuestAgent;
import java.util.Map;

/**
 * One request's hold on a RUNNING microVM's guest (see {@link Microvms#use}): while any lease is open
 * the idle policy does not suspend it. Close it when the request ends.
 */
public final class GuestLease implements AutoCloseable {
    private final Engine engine;
    private final Machine m;
    private final GuestAgent agent;
    private boolean closed;

    GuestLease(Engine engine, Machine m, GuestAgent agent) {
        this.engine = engine;
        this.m = m;
        this.agent = agent;
    }

    public String microvmId() {
        return m.id;
    }

    public GuestAgent agent() {
        return agent;
    }

    /** The image's environment variables: the base of every process Ember starts in this microVM. */
    public Map<String, String> environment() {
        return m.launch.environment();
    }

    /**
     * The agent channel broke during this request. If it is still the microVM's channel, the microVM
     * has failed and is terminated (true); if not, it was suspended or ended meanwhile (false).
     */
    public boolean broken(String reason) {
        if (m.agent != agent) return false;
        engine.agentFailed(m, reason);
        return true;
    }

    /**
     * Counts as activity for the idle policy now, also after {@link #close}: what an upgraded endpoint
     * connection (a WebSocket) does with each inbound message, since it is not a request in flight.
     */
    public void touch() {
        m.touch();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        m.active.decrementAndGet();
        m.touch();
    }
}
