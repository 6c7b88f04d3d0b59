package io.ember.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream's answer to one question, kept apart from the message that carried it: the guest's answer is built
 * fresh from it (the guest's id, question and EDNS; none of the upstream's EDNS options, client subnet included).
 *
 * @param rcode NOERROR or NXDOMAIN (nothing else is an answer)
 * @param answer the answer section, the CNAME chain included
 * @param authority the authority section (the SOA of a negative answer)
 * @param additional the additional section without OPT
 */
record Answer(int rcode, List<Record> answer, List<Record> authority, List<Record> additional) {
    static final long MAX_POSITIVE_TTL = 3600, MAX_NEGATIVE_TTL = 300;

    Answer {
        answer = List.copyOf(answer);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    static Answer of(Message m) {
        List<Record> additional = new ArrayList<>();
        for (Record r : m.getSection(Section.ADDITIONAL)) if (r.getType() != Type.OPT && r.getType() != Type.TSIG) additional.add(r);
        return new Answer(m.getRcode(), m.getSection(Section.ANSWER), m.getSection(Section.AUTHORITY), additional);
    }

    /**
     * How long the cache may keep this answer, in seconds; 0: not at all. Positive answers: their smallest TTL, at most
     * an hour. Negative ones (NXDOMAIN, or NOERROR without an answer): the SOA's negative TTL (RFC 2308), at most five
     * minutes, and not at all without an SOA.
     */
    long cacheSeconds() {
        if (rcode == Rcode.NOERROR && !answer.isEmpty()) {
            long ttl = MAX_POSITIVE_TTL;
            for (Record r : answer) ttl = Math.min(ttl, r.getTTL());
            return ttl;
        }
        for (Record r : authority)
            if (r instanceof SOARecord soa) return Math.min(MAX_NEGATIVE_TTL, Math.min(soa.getTTL(), soa.getMinimum()));
        return 0;
    }

    /** The IPv4 addresses of the answer section, whatever names they belong to (the end of any CNAME chain). */
    List<Inet4Address> addresses() {
        List<Inet4Address> out = new ArrayList<>();
        for (Record r : answer) {
            if (!(r instanceof ARecord a)) continue;
            try { // dnsjava names the address after the record; the pins want the bare address
                Inet4Address v4 = (Inet4Address) InetAddress.getByAddress(a.getAddress().getAddress());
                if (!out.contains(v4)) out.add(v4);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("an A record holds 4 bytes", e);
            }
        }
        return out;
    }

    /** The smallest TTL of the answer's A records, in seconds; -1 without any. */
    long addressTtl() {
        long ttl = -1;
        for (Record r : answer) if (r instanceof ARecord) ttl = ttl < 0 ? r.getTTL() : Math.min(ttl, r.getTTL());
        return ttl;
    }

    /** This answer {@code seconds} later: every TTL lowered by that much, never below 0. */
    Answer aged(long seconds) {
        if (seconds <= 0) return this;
        return new Answer(rcode, aged(answer, seconds), aged(authority, seconds), aged(additional, seconds));
    }

    private static List<Record> aged(List<Record> records, long seconds) {
        List<Record> out = new ArrayList<>(records.size());
        for (Record r : records) out.add(withTtl(r, Math.max(0, r.getTTL() - seconds)));
        return out;
    }

    /** dnsjava has no public TTL setter: rewrite the TTL field of the record's own uncompressed wire form. */
    static Record withTtl(Record r, long ttl) {
        if (r.getTTL() == ttl) return r;
        byte[] w = r.toWire(Section.ANSWER);
        int at = r.getName().length() + 4; // owner name, type, class, then the TTL
        w[at] = (byte) (ttl >>> 24);
        w[at + 1] = (byte) (ttl >>> 16);
        w[at + 2] = (byte) (ttl >>> 8);
        w[at + 3] = (byte) ttl;
        try {
            return Record.fromWire(w, Section.ANSWER);
        } catch (IOException e) {
            throw new UncheckedIOException("re-reading a record dnsjava wrote itself", e);
        }
    }
}
