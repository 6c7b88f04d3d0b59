package io.ember.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/** The streamed requests: FILE_WRITE, FILE_READ and LIST. */
final class FileTransfer {
    private FileTransfer() {}

    static void write(AgentChannel ch, String path, int mode, InputStream data) throws AgentException {
        Slot s = ch.open(Slot.Kind.FILE_WRITE);
        ch.send(s.id, Proto.FILE_WRITE, Fields.builder().string(Proto.PATH, AgentClient.text("path", path)).integer(Proto.MODE, mode & 07777).build());
        byte[] buf = new byte[Proto.MAX_CHUNK];
        Duration stall = ch.limits.transferStallTimeout();
        try {
            while (true) {
                long credit = s.awaitCredit(Slot.deadline(stall));
                if (credit == 0) {
                    ch.fail("agent granted no credit for " + s.name() + " (FILE_WRITE " + path + ") within "
                            + stall.toMillis() + " ms");
                    ch.check();
                }
                if (credit < 0) break; // the guest answered early (ERROR): read it below
                int n = data.read(buf, 0, (int) Math.min(credit, buf.length));
                if (n < 0) {
                    ch.send(s.id, Proto.FILE_DATA, new byte[0]);
                    break;
                }
                if (n == 0) continue;
                s.spend(n);
                ch.send(s.id, Proto.FILE_DATA, buf, 0, n);
            }
        } catch (IOException e) {
            ch.cancel(s);
            throw new AgentException("reading the data for " + path + " failed: " + e.getMessage(), false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.cancel(s);
            throw new AgentException("interrupted while writing " + path, false, e);
        }
        Slot.Msg m = ch.await(s, ch.limits.requestTimeout(), "FILE_WRITE " + path);
        if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
    }

    static long read(AgentChannel ch, String path, OutputStream out) throws AgentException {
        Slot s = ch.open(Slot.Kind.FILE_READ);
        ch.send(s.id, Proto.FILE_READ, Fields.builder().string(Proto.PATH, AgentClient.text("path", path)).build());
        Slot.Msg m = ch.await(s, ch.limits.requestTimeout(), "FILE_READ " + path);
        if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
        long total = 0;
        while (true) {
            m = ch.await(s, ch.limits.transferStallTimeout(), "FILE_READ " + path + " (next chunk)");
            if (m.type() == Proto.ERROR) throw AgentChannel.guestError(m);
            if (m.data().length == 0) return total;
            try {
                out.write(m.data());
            } catch (IOException e) {
                ch.cancel(s);
                throw new AgentException("writing " + path + " to its destination failed: " + e.getMessage(), false, e);
            }
            total += m.data().length;
            ch.returnCredit(s, m.data().length);
        }
    }

    static List<FileStat> list(AgentChannel ch, String path) throws AgentException {
        Slot s = ch.open(Slot.Kind.LIST);
        ch.send(s.id, Proto.LIST, Fields.builder().string(Proto.PATH, AgentClient.text("path", path)).build());
        long stall = ch.limits.transferStallTimeout().toNanos();
        while (true) {
            Slot.Msg m;
            try {
                m = s.take(System.nanoTime() + Math.min(stall, 1_000_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ch.cancel(s);
                throw new AgentException("interrupted while listing " + path, false, e);
            }
            if (m == null) {
                if (System.nanoTime() - s.lastActivity() > stall) {
                    ch.fail("agent stalled listing " + path + " for " + stall / 1_000_000 + " ms");
                    ch.check();
                }
                continue;
            }
            switch (m.type()) {
                case Proto.OK -> {
                    return s.entries();
                }
                case Proto.ERROR -> throw AgentChannel.guestError(m);
                case Slot.LIST_OVERFLOW -> {
                    ch.cancel(s);
                    throw new AgentException(AgentClient.E2BIG, path + " has more than " + ch.limits.maxListEntries()
                            + " entries");
                }
                default -> throw new AgentException("unexpected " + Proto.name(m.type()) + " on " + s.name(), true, null);
            }
        }
    }
}
