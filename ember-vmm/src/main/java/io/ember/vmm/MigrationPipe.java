package io.ember.vmm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The migration stream between QEMU and a file, over a Unix socket in the VM's work directory. A jailed QEMU may not
 * spawn a process ({@code -sandbox spawn=deny}, so no {@code exec:cat}), and QEMU 7.2 has no {@code file:} URI; a
 * socket works for both, and the server checks who is at the other end.
 */
final class MigrationPipe {
    static final String SOCKET = "migrate.sock";

    private MigrationPipe() {}

    /**
     * Listens at {@code <workDir>/migrate.sock} (handed to the directory's owner, the VM's uid when jailed) and copies
     * what QEMU sends into {@code target}, at most {@code maxBytes} (a bound on what a VMM can make the host write).
     * Returns the copy, which completes with the byte count when QEMU closes the stream.
     */
    static Receiver receive(Path workDir, Path target, long maxBytes) throws IOException {
        Path socket = workDir.resolve(SOCKET);
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setOwner(socket, Files.getOwner(workDir, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        CompletableFuture<Long> copied = new CompletableFuture<>();
        Thread.ofVirtual().name("migration from " + workDir.getFileName()).start(() -> {
            try (server; SocketChannel peer = server.accept()) {
                io.ember.jail.SocketPeer.verify(peer, socket);
                try (InputStream in = Channels.newInputStream(peer);
                     OutputStream out = Channels.newOutputStream(Files.newByteChannel(target, java.util.Set.of(
                             StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                             PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                    copied.complete(copyBounded(in, out, maxBytes));
                }
            } catch (IOException | RuntimeException e) {
                copied.completeExceptionally(e);
            } finally {
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException ignored) {
                    // the next save removes it
                }
            }
        });
        return new Receiver(server, socket, copied);
    }

    /** A running copy from QEMU into a file. */
    record Receiver(ServerSocketChannel server, Path socket, CompletableFuture<Long> copied) {
        String uri() {
            return "unix:" + socket;
        }

        /** Waits for QEMU to close the stream; the byte count. */
        long await(Duration timeout) throws IOException {
            try {
                return copied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IOException("migration stream: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                cancel();
                throw new IOException("migration stream not closed within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new IOException("interrupted", e);
            }
        }

        void cancel() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing a listener does not fail in a way that matters here
            }
        }
    }

    /**
     * Sends {@code source} to QEMU listening at {@code socket} ({@code migrate-incoming unix:...}); retries the connect
     * until the socket is there or {@code timeout} passes. Returns the byte count.
     */
    static long send(Path source, Path socket, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                io.ember.jail.SocketPeer.verify(ch, socket);
                try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
                     OutputStream out = Channels.newOutputStream(ch)) {
                    return in.transferTo(out);
                }
            } catch (java.net.SocketException | java.nio.file.NoSuchFileException e) {
                if (System.nanoTime() - deadline > 0) throw new IOException("QEMU did not listen at " + socket + ": " + e.getMessage(), e);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", ie);
                }
            }
        }
    }

    private static long copyBounded(InputStream in, OutputStream out, long max) throws IOException {
        byte[] buf = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > max) throw new IOException("the VMM sent more than " + max + " bytes of machine state");
            out.write(buf, 0, n);
        }
        return total;
    }
}
