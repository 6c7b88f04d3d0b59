package io.ember.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * Asks the upstream resolvers, in order, for one question: a fresh query (its own random id, recursion desired, EDNS
 * with no options, so nothing of the guest's query but its question leaves the host), over UDP from a new socket with
 * a random port, over TCP when the UDP answer was truncated. Only NOERROR and NXDOMAIN count as answers; a timeout, an
 * error or any other rcode moves on to the next upstream.
 */
final class Upstreams {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);
    /** The EDNS payload size we advertise upstream: the DNS flag day 2020 value, unfragmented on any path. */
    static final int EDNS_PAYLOAD = 1232;

    private final List<InetSocketAddress> servers;
    private final Duration timeout;
    private final Counters counters;
    private final SecureRandom random = new SecureRandom();
    private final WarnLimiter warnings = new WarnLimiter();

    Upstreams(List<InetSocketAddress> servers, Duration timeout, Counters counters) {
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
        this.counters = counters;
    }

    static final class UpstreamException extends IOException {
        UpstreamException(String message) {
            super(message);
        }
    }

    /** The first answer (NOERROR or NXDOMAIN) an upstream gives, or UpstreamException when none did. */
    Answer resolve(Name name, int type) throws UpstreamException {
        for (InetSocketAddress server : servers) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                Message reply = ask(server, name, type, deadline);
                int rcode = reply.getRcode();
                if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) return Answer.of(reply);
                failed(server, name, "answered " + Rcode.string(rcode));
            } catch (IOException e) {
                failed(server, name, e instanceof SocketTimeoutException ? "timed out after " + timeout.toMillis() + " ms"
                        : e.toString());
            }
        }
        throw new UpstreamException("no upstream answered " + name);
    }

    private Message ask(InetSocketAddress server, Name name, int type, long deadline) throws IOException {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN)); // sets RD
        query.getHeader().setID(random.nextInt(65536));
        query.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        byte[] wire = query.toWire();
        Message reply = overUdp(server, wire, query, deadline);
        return reply.getHeader().getFlag(Flags.TC) ? overTcp(server, wire, query, deadline) : reply;
    }

    private static Message overUdp(InetSocketAddress server, byte[] wire, Message query, long deadline) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(server); // the kernel drops datagrams from any other source
            s.send(new DatagramPacket(wire, wire.length));
            byte[] buf = new byte[65535];
            while (true) { // a reply that does not match (late, spoofed) is skipped until the deadline
                s.setSoTimeout(remainingMillis(deadline));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                Message reply = matching(query, buf, p.getLength());
                if (reply != null) return reply;
            }
        }
    }

    private static Message overTcp(InetSocketAddress server, byte[] wire, Message query, long deadline) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, remainingMillis(deadline));
            s.setSoTimeout(remainingMillis(deadline));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] buf = new byte[in.readUnsignedShort()];
            in.readFully(buf);
            Message reply = matching(query, buf, buf.length);
            if (reply == null) throw new IOException("TCP answer does not match the question");
            return reply;
        }
    }

    /** The reply when it answers exactly {@code query} (id, QR, question), else null. */
    private static Message matching(Message query, byte[] buf, int length) {
        try {
            Message reply = new Message(java.util.Arrays.copyOf(buf, length));
            Record q = query.getQuestion(), a = reply.getQuestion();
            boolean same = reply.getHeader().getID() == query.getHeader().getID() && reply.getHeader().getFlag(Flags.QR)
                    && a != null && a.getName().equals(q.getName()) && a.getType() == q.getType()
                    && a.getDClass() == q.getDClass();
            return same ? reply : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms < 1) throw new SocketTimeoutException();
        return (int) ms;
    }

    /** Counts the failure; warns at most every ten seconds, with how many failures went unlogged in between. */
    private void failed(InetSocketAddress server, Name name, String why) {
        counters.upstreamFailures.incrementAndGet();
        long skipped = warnings.warnNow();
        if (skipped >= 0) log.warn("DNS upstream {} failed for {}: {}{}", server, name, why, WarnLimiter.skippedNote(skipped));
        else log.debug("DNS upstream {} failed for {}: {}", server, name, why);
    }
}
