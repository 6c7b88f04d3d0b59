package io.ember.vmm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the guest serial console (a QEMU socket chardev) into a {@link ConsoleLog}. While no
 * reader is connected QEMU drops console output, so a server that is down costs nothing; a new
 * server attaches again to the same socket.
 *
 * <p>The guest decides how much it writes there, so reading is cheap and bounded per VM: at most {@link #RATE} bytes a
 * second after a {@link #BURST} (boot messages and the odd burst pass at once), in blocks of up to 64 KiB with at
 * least {@link #GAP} between two reads (the serial line delivers a byte at a time: read as it comes, a flood costs a
 * wake-up every few bytes, most of a core). While the reader waits it does not read, the socket fills, QEMU stops
 * taking bytes from the UART and the guest's writes to its console block: the guest pays for its flood, not the host.
 * Nothing is dropped by the host; each throttled stretch is noted in the log.
 */
final class ConsoleReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleReader.class);
    /** Console bytes a second per VM, sustained. */
    static final int RATE = 16 * 1024;
    /** What may come at once before {@link #RATE} applies (a boot's messages are well below it). */
    static final int BURST = 128 * 1024;
    /**
     * Least time between two reads: a trickle is read in blocks, not byte by byte. QEMU sends the UART's bytes one
     * write at a time, and its socket's send buffer holds about 270 of those one-byte writes: so at most about
     * 54 KB/s reach a reader that waits 5 ms (12 KB/s at 20 ms), in at most 200 reads a second.
     */
    static final Duration GAP = Duration.ofMillis(5);
    private static final int BLOCK = 64 * 1024;

    private final SocketChannel socket;
    private final ConsoleLog sink;
    private final String vmId;
    private final AtomicLong bytesRead = new AtomicLong(), reads = new AtomicLong(), throttledNanos = new AtomicLong();
    /** Completed when the pump has written everything QEMU sent (EOF) or stopped. */
    private final java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();

    private ConsoleReader(SocketChannel socket, ConsoleLog sink, String vmId) {
        this.socket = socket;
        this.sink = sink;
        this.vmId = vmId;
        Thread.ofVirtual().name("console " + vmId).start(this::pump);
    }

    static ConsoleReader attach(Path consoleSocket, Path logFile, String vmId) throws IOException {
        SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.connect(UnixDomainSocketAddress.of(consoleSocket));
            io.ember.jail.SocketPeer.verify(s, consoleSocket);
            return new ConsoleReader(s, new ConsoleLog(logFile, ConsoleLog.DEFAULT_PER_FILE), vmId);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void pump() {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        TokenBucket bucket = new TokenBucket(RATE, BURST, System::nanoTime);
        long throttledSince = 0; // System.nanoTime of the stretch's start, 0 = not throttled
        try (sink) {
            while (true) {
                int n = socket.read(buf.clear());
                if (n < 0) break;
                sink.write(buf.array(), 0, n);
                bytesRead.addAndGet(n);
                reads.incrementAndGet();
                long wait = bucket.spend(n);
                if (wait > 0 && throttledSince == 0) {
                    throttledSince = System.nanoTime();
                    note("\n[ember: console over " + RATE / 1024 + " KiB/s: reading paused, the guest's console writes wait]\n");
                } else if (wait == 0 && throttledSince != 0 && bucket.balance() >= BURST / 2) {
                    note("\n[ember: console throttled for " + millis(System.nanoTime() - throttledSince) + " ms]\n");
                    throttledSince = 0;
                }
                if (wait > 0) throttledNanos.addAndGet(wait);
                TimeUnit.NANOSECONDS.sleep(Math.max(wait, GAP.toNanos()));
            }
        } catch (IOException e) {
            if (socket.isOpen()) log.warn("{}: console reader stopped: {}", vmId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
            drained.complete(null);
        }
    }

    /**
     * Waits (bounded) until the console's last bytes are in the log: QEMU has exited, and what it wrote last (a panic
     * message) may still be in the socket's buffer.
     */
    void awaitDrained(java.time.Duration timeout) {
        try {
            drained.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a console that does not end: its log is what it is
        }
    }

    private void note(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        sink.write(b, 0, b.length);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Bytes read from the guest's console so far. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** Reads so far: each a wake-up of the reader. */
    long reads() {
        return reads.get();
    }

    /** How long the reader held back because the guest wrote faster than {@link #RATE}. */
    Duration throttled() {
        return Duration.ofNanos(throttledNanos.get());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed is closed
        }
    }
}
