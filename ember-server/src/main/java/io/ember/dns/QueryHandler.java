package io.ember.dns;

import io.ember.egress.DomainPattern;
import io.ember.egress.EgressPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * One query in, one answer out (or nothing): the resolver's decisions, the same for UDP and TCP (docs/dns.md).
 * In order: drop what has no header or is itself an answer; REFUSED for a source that is no registered microVM, then
 * for a microVM over its rate; FORMERR, NOTIMP, REFUSED for what is not exactly one IN question of a plain type;
 * NXDOMAIN, asking no one, for a name the microVM's policy does not allow; else the cached or upstream answer, whose
 * addresses are pinned first when a domain ALLOW rule matched the name.
 */
final class QueryHandler {
    private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);
    static final int UDP_MIN = 512, UDP_MAX = 4096;
    static final long PIN_MIN_SECONDS = 60, PIN_MAX_SECONDS = 3600;

    /** A microVM's queries waiting on an upstream or a pin at once: one microVM cannot take every handler slot. */
    static final int CLIENT_IN_FLIGHT = 64;

    record Client(String vmId, EgressPolicy policy, Resolver.Pins pins, TokenBucket bucket, Semaphore inFlight) {
        Client(String vmId, EgressPolicy policy, Resolver.Pins pins, TokenBucket bucket) {
            this(vmId, policy, pins, bucket, new Semaphore(CLIENT_IN_FLIGHT));
        }
    }

    private final Map<Inet4Address, Client> clients;
    private final Lookups lookups;
    private final WarnLimiter pinWarnings = new WarnLimiter();
    private final Counters counters;

    QueryHandler(Map<Inet4Address, Client> clients, Lookups lookups, Counters counters) {
        this.clients = clients;
        this.lookups = lookups;
        this.counters = counters;
    }

    /** The answer's wire form, or null to send nothing. {@code udp}: cap the size and set TC above it. */
    byte[] handle(byte[] wire, InetAddress source, boolean udp) {
        Header header;
        try {
            if (wire.length < Header.LENGTH) return null;
            header = new Header(wire);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (header.getFlag(Flags.QR)) return null; // never answer an answer: no loops, no reflection off our replies
        counters.queries.incrementAndGet();
        Client client = source instanceof Inet4Address v4 ? clients.get(v4) : null;
        if (client == null) {
            counters.refused.incrementAndGet();
            log.debug("DNS query from unregistered {}: REFUSED", source);
            return refuse(wire, header, udp);
        }
        if (!client.bucket.take() || !client.inFlight.tryAcquire()) {
            counters.rateLimited.incrementAndGet();
            log.debug("DNS query from {} over its rate or its queries in flight: REFUSED", client.vmId);
            return refuse(wire, header, udp);
        }
        try {
            return parsed(client, wire, header, udp);
        } finally {
            client.inFlight.release();
        }
    }

    private byte[] parsed(Client client, byte[] wire, Header header, boolean udp) {
        if (header.getOpcode() != Opcode.QUERY) return error(header, Rcode.NOTIMP);
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            return error(header, Rcode.FORMERR);
        }
        if (!oneQuestion(query)) return error(header, Rcode.FORMERR);
        Record question = query.getQuestion();
        int type = question.getType();
        if (question.getDClass() != DClass.IN) return reply(query, Rcode.REFUSED, null, udp);
        if (type == Type.ANY || type == Type.AXFR || type == Type.IXFR || type == Type.MAILA || type == Type.MAILB
                || type == Type.OPT || type == Type.TSIG || type == Type.TKEY)
            return reply(query, Rcode.NOTIMP, null, udp);
        return answer(client, query, question.getName(), type, udp);
    }

    private byte[] answer(Client client, Message query, Name name, int type, boolean udp) {
        long started = System.nanoTime();
        // lower case, no trailing dot, as the policy sees it; null for what is no plain name (escapes, binary labels)
        String text = DomainPattern.normalize(name.toString(true));
        EgressPolicy.DnsVerdict verdict = text == null ? EgressPolicy.DnsVerdict.DENIED : client.policy.dns(text);
        if (!verdict.forward() || ReverseNames.neverReachable(text)) {
            counters.denied.incrementAndGet();
            log.debug("DNS {} {} {}: NXDOMAIN by policy", client.vmId, name, Type.string(type));
            return reply(query, Rcode.NXDOMAIN, null, udp);
        }
        Lookups.Found found;
        try {
            found = lookups.find(name, text, type);
        } catch (Upstreams.UpstreamException e) {
            log.debug("DNS {} {} {}: SERVFAIL, {}", client.vmId, text, Type.string(type), e.getMessage());
            return reply(query, Rcode.SERVFAIL, null, udp);
        }
        Answer answer = found.answer();
        if (verdict.rule() >= 0 && !pin(client, verdict.rule(), text, answer)) return reply(query, Rcode.SERVFAIL, null, udp);
        if (log.isDebugEnabled())
            log.debug("DNS {} {} {}: {} from {} in {} us", client.vmId, text, Type.string(type), Rcode.string(answer.rcode()),
                    found.source(), (System.nanoTime() - started) / 1000);
        return reply(query, answer.rcode(), answer, udp);
    }

    /** Hands the answer's addresses to the microVM's pins before the guest sees them; false when pinning failed. */
    private boolean pin(Client client, int rule, String name, Answer answer) {
        List<Inet4Address> addresses = answer.addresses();
        if (addresses.isEmpty()) return true; // nothing to reach: nothing to open
        long ttl = Math.clamp(answer.addressTtl(), PIN_MIN_SECONDS, PIN_MAX_SECONDS);
        try {
            client.pins.pin(rule, addresses, Duration.ofSeconds(ttl));
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            long skipped = pinWarnings.warnNow();
            if (skipped >= 0)
                log.warn("DNS {} {}: pinning {} under rule {} failed, answering SERVFAIL: {}{}", client.vmId, name, addresses,
                        rule, e.toString(), WarnLimiter.skippedNote(skipped));
            else log.debug("DNS {} {}: pinning {} under rule {} failed: {}", client.vmId, name, addresses, rule, e.toString());
            return false;
        }
    }

    /** An answer to {@code query}: its id, RD and question (the guest's spelling), our RA, EDNS when the guest used it. */
    private static byte[] reply(Message query, int rcode, Answer answer, boolean udp) {
        Message m = new Message(query.getHeader().getID());
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) h.setFlag(Flags.RD);
        h.setRcode(rcode);
        Record question = query.getQuestion();
        m.addRecord(question, Section.QUESTION);
        if (answer != null) {
            // the guest may have asked in mixed case (0x20): records of the asked name come back spelled as asked
            for (Record r : answer.answer()) m.addRecord(r.getName().equals(question.getName()) ? r.withName(question.getName()) : r, Section.ANSWER);
            for (Record r : answer.authority()) m.addRecord(r, Section.AUTHORITY);
            for (Record r : answer.additional()) m.addRecord(r, Section.ADDITIONAL);
        }
        OPTRecord edns = query.getOPT();
        if (edns != null) m.addRecord(new OPTRecord(UDP_MAX, 0, 0), Section.ADDITIONAL);
        if (!udp) return m.toWire();
        int limit = edns == null ? UDP_MIN : Math.clamp(edns.getPayloadSize(), UDP_MIN, UDP_MAX);
        return m.toWire(limit); // sets TC when the answer had to be cut; the guest asks again over TCP
    }

    /**
     * Exactly one question and nothing in the answer and authority sections. Counted in the parsed sections, not the
     * header: dnsjava parses a message with TC set leniently, keeping what it read before the bytes ran out.
     */
    private static boolean oneQuestion(Message query) {
        Header h = query.getHeader();
        return query.getSection(Section.QUESTION).size() == 1 && h.getCount(Section.QUESTION) == 1
                && query.getSection(Section.ANSWER).isEmpty() && query.getSection(Section.AUTHORITY).isEmpty()
                && h.getCount(Section.ANSWER) == 0 && h.getCount(Section.AUTHORITY) == 0;
    }

    /** REFUSED, with the question when the query has one (stub resolvers match answers by it). */
    private static byte[] refuse(byte[] wire, Header header, boolean udp) {
        try {
            Message query = new Message(wire);
            if (oneQuestion(query)) return reply(query, Rcode.REFUSED, null, udp);
        } catch (IOException | RuntimeException e) {
            // fall through to a bare header
        }
        return error(header, Rcode.REFUSED);
    }

    /** An answer carrying only the query's header fields: for queries that could not be parsed past the header. */
    private static byte[] error(Header query, int rcode) {
        Header h = new Header(query.getID());
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getFlag(Flags.RD)) h.setFlag(Flags.RD);
        h.setOpcode(query.getOpcode());
        h.setRcode(rcode);
        return h.toWire();
    }
}
