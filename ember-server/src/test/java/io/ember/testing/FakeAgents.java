package io.ember.testing;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.microvm.AgentConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/** Connects to {@link FakeAgent}s; the test controls when and how HELLO answers. */
public final class FakeAgents implements AgentConnector {
    /** One sequence for the order of connects, RESTORED fix-ups and VM resumes ({@link FakeDriver#resume}). */
    public static final AtomicLong ORDER = new AtomicLong();
    public final List<FakeAgent> connected = new CopyOnWriteArrayList<>();
    /** HELLO waits for this latch (count 0 = answer at once). */
    public volatile CountDownLatch helloGate = new CountDownLatch(0);
    /** HELLO keeps waiting for its gate when interrupted (an answer already on its way). */
    public volatile boolean helloIgnoresInterrupts;
    /** Counted down when such a HELLO is interrupted. */
    public final CountDownLatch helloInterrupted = new CountDownLatch(1);
    public volatile String helloFailure;
    public volatile int protocolVersion = 1;
    public volatile FakeAgent.ExecHandler execHandler = FakeAgent::echo;
    /** Guest TCP port → host loopback port that {@link FakeAgent#connectTcp} connects to. */
    public final java.util.Map<Integer, Integer> tcpPorts = new java.util.concurrent.ConcurrentHashMap<>();
    /** The guest ports asked for, in order. */
    public final List<Integer> tcpConnects = new CopyOnWriteArrayList<>();
    /** When set, RESTORED fails with it (a guest that cannot apply the fix-up). */
    public volatile String restoredFailure;

    @Override
    public GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException {
        FakeAgent a = new FakeAgent(this, agentSocket);
        connected.add(a);
        return a;
    }

    /** The latest agent connected to the VM whose work dir holds {@code socket}'s name. */
    public FakeAgent of(String vmId) {
        for (int i = connected.size() - 1; i >= 0; i--) {
            if (connected.get(i).socket.toString().contains(vmId)) return connected.get(i);
        }
        throw new IllegalStateException("no agent for " + vmId);
    }
}
