package io.ember.testing;

import io.ember.agent.AgentException;
import io.ember.agent.ExecEvent;
import io.ember.agent.ExecStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A process whose events the test feeds ({@link #events}: ExecEvents or an AgentException to
 * throw), or produces without end ({@link #generator}). Counts what the server pulled.
 */
public final class FakeExecStream implements ExecStream {
    public final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    public final AtomicLong pulled = new AtomicLong();
    public final CountDownLatch closed = new CountDownLatch(1);
    public final StringBuilder stdin = new StringBuilder();
    public volatile Supplier<ExecEvent> generator;
    /** Like cat: stdin comes back as stdout, and closing stdin ends the process. */
    public volatile boolean echoStdin;

    public static FakeExecStream of(ExecEvent... evs) {
        FakeExecStream s = new FakeExecStream();
        s.events.addAll(Arrays.asList(evs));
        return s;
    }

    @Override
    public ExecEvent next(Duration timeout) throws AgentException, InterruptedException {
        if (closed.getCount() == 0) throw new AgentException("stream closed", false, null);
        Supplier<ExecEvent> g = generator;
        if (g != null) {
            pulled.incrementAndGet();
            return g.get();
        }
        Object o = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (o == null) return null;
        pulled.incrementAndGet();
        if (o instanceof AgentException e) throw e;
        return (ExecEvent) o;
    }

    @Override
    public void writeStdin(byte[] data, int off, int len) {
        synchronized (stdin) {
            stdin.append(new String(data, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (echoStdin) events.add(new ExecEvent.Stdout(Arrays.copyOfRange(data, off, off + len)));
    }

    @Override
    public void closeStdin() {
        if (echoStdin) events.add(new ExecEvent.Exit(0, 0, false));
    }

    @Override
    public void signal(int signo) {}

    @Override
    public void close() {
        closed.countDown();
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }
}
