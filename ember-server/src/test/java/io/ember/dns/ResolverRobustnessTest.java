package io.ember.dns;

import io.ember.egress.EgressPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static io.ember.dns.Dig.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

/** What the resolver sends upstream, what it does when upstreams fail or lie, and what guests cannot break. */
class ResolverRobustnessTest {
    @TempDir
    Path dir;
    final List<AutoCloseable> stops = new ArrayList<>();
    Resolver resolver;
    Dig dig;

    @AfterEach
    void stop() throws Exception {
        if (resolver != null) resolver.close();
        for (AutoCloseable c : stops.reversed()) c.close();
    }

    private void start(List<InetSocketAddress> upstreams, int qps, int burst) throws Exception {
        resolver = Resolver.start(ResolverTest.config(upstreams, qps, burst));
        dig = new Dig(resolver.port());
        resolver.register((Inet4Address) GUEST, "vm-1", EgressPolicy.INTERNET, (rule, addresses, ttl) -> {});
    }

    private ScriptedUpstream scripted(Function<Message, List<Message>> script) throws Exception {
        ScriptedUpstream u = new ScriptedUpstream(script);
        stops.add(u);
        return u;
    }

    static Message answer(Message q, int rcode, Record... records) {
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setRcode(rcode);
        m.addRecord(q.getQuestion(), Section.QUESTION);
        for (Record r : records) m.addRecord(r, r instanceof SOARecord ? Section.AUTHORITY : Section.ANSWER);
        return m;
    }

    static Record a(Message q, String ip, long ttl) {
        return new ARecord(q.getQuestion().getName(), DClass.IN, ttl, Dig.address(ip));
    }

    static SOARecord soa(long ttl, long minimum) {
        Name zone = Name.fromConstantString("test.");
        return new SOARecord(zone, DClass.IN, ttl, Name.fromConstantString("ns.test."), Name.fromConstantString("admin.test."),
                1, 3600, 600, 86400, minimum);
    }

    @Test
    void onlyTheQuestionLeavesTheHostNeverTheGuestsIdOrClientSubnet() throws Exception {
        ScriptedUpstream up = scripted(q -> {
            Message a = answer(q, Rcode.NOERROR, a(q, "198.51.100.10", 60));
            a.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(24, Dig.address("203.0.113.0"))), Section.ADDITIONAL);
            return List.of(a);
        });
        start(List.of(up.address()), 100, 100);
        SimpleResolver r = dig.resolver(GUEST, false);
        r.setEDNS(0, 1232, 0, List.of(new ClientSubnetOption(24, Dig.address("198.51.100.0"))));
        Message query = Dig.query("ecs.test", Type.A);
        query.getHeader().setID(4242);
        Message m = r.send(query);

        assertThat(m.getHeader().getID()).isEqualTo(4242);
        assertThat(Dig.answers(m)).containsExactly("198.51.100.10");
        assertThat(m.getOPT()).isNotNull();
        assertThat(m.getOPT().getOptions()).as("the upstream's client subnet does not reach the guest").isEmpty();
        assertThat(up.received).hasSize(1);
        Message sent = up.received.get(0);
        assertThat(sent.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(sent.getOPT().getOptions()).as("the guest's client subnet does not reach the upstream").isEmpty();
        assertThat(sent.getQuestion().getName().toString()).isEqualTo("ecs.test.");
        assertThat(sent.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void negativeAnswersAreCachedForTheSoaMinimumAtMostFiveMinutes() throws Exception {
        ScriptedUpstream up = scripted(q -> List.of(q.getQuestion().getName().toString().startsWith("nx")
                ? answer(q, Rcode.NXDOMAIN, soa(600, 30)) : answer(q, Rcode.NOERROR, soa(3600, 3600))));
        start(List.of(up.address()), 100, 100);
        Message nx = dig.udp("nx.test", Type.A), nodata = dig.udp("nodata.test", Type.AAAA);
        assertThat(dig.tcp("nx.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dig.udp("nodata.test", Type.AAAA).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(up.received).hasSize(2);
        assertThat(resolver.stats().cacheHits()).isEqualTo(2);
        assertThat(new Answer(Rcode.NXDOMAIN, List.of(), List.of(soa(600, 30)), List.of()).cacheSeconds()).isEqualTo(30);
        assertThat(new Answer(Rcode.NOERROR, List.of(), List.of(soa(3600, 3600)), List.of()).cacheSeconds()).isEqualTo(300);
    }

    @Test
    void simultaneousMissesOnOneNameMakeOneUpstreamQuery() throws Exception {
        ScriptedUpstream slow = scripted(q -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(answer(q, Rcode.NOERROR, a(q, "198.51.100.10", 60)));
        });
        start(List.of(slow.address()), 100, 100);
        List<java.util.concurrent.CompletableFuture<Message>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) all.add(dig.async("popular.test", Type.A));
        for (var f : all) assertThat(Dig.answers(f.get(5, java.util.concurrent.TimeUnit.SECONDS))).containsExactly("198.51.100.10");
        assertThat(slow.received).hasSize(1);
        assertThat(resolver.stats().forwarded()).isEqualTo(1);
        assertThat(resolver.stats().cacheHits()).isEqualTo(19);
    }

    @Test
    void aReplyWithTheWrongIdIsIgnored() throws Exception {
        ScriptedUpstream up = scripted(q -> {
            Message spoof = answer(q, Rcode.NOERROR, a(q, "203.0.113.66", 60));
            spoof.getHeader().setID(q.getHeader().getID() ^ 1);
            return List.of(spoof, answer(q, Rcode.NOERROR, a(q, "198.51.100.10", 60)));
        });
        start(List.of(up.address()), 100, 100);
        assertThat(Dig.answers(dig.udp("spoof.test", Type.A))).containsExactly("198.51.100.10");
    }

    @Test
    void servfailOrSilenceMovesOnToTheNextUpstream() throws Exception {
        ScriptedUpstream failing = scripted(q -> List.of(answer(q, Rcode.SERVFAIL)));
        ScriptedUpstream silent = scripted(q -> List.of());
        ScriptedUpstream good = scripted(q -> List.of(answer(q, Rcode.NOERROR, a(q, "198.51.100.10", 60))));
        start(List.of(failing.address(), silent.address(), good.address()), 100, 100);
        long t0 = System.nanoTime();
        Message m = dig.udp("failover.test", Type.A);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(Dig.answers(m)).containsExactly("198.51.100.10");
        assertThat(ms).as("one timeout (800 ms) for the silent upstream").isBetween(700L, 2500L);
        assertThat(List.of(failing.received.size(), silent.received.size(), good.received.size())).containsExactly(1, 1, 1);
        assertThat(resolver.stats().upstreamFailures()).isEqualTo(2);
    }

    @Test
    void upstreamDownAnswersServfailWithinTheTimeout() throws Exception {
        ScriptedUpstream silent = scripted(q -> List.of());
        InetSocketAddress closed = new InetSocketAddress(GUEST, Dnsmasq.freePort());
        start(List.of(closed, silent.address()), 100, 100);
        long t0 = System.nanoTime();
        Message m = dig.udp("down.test", Type.A);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(ms).as("the closed port fails at once, the silent one after 800 ms").isBetween(700L, 2500L);
        assertThat(resolver.stats().upstreamFailures()).isEqualTo(2);
        assertThat(dig.udp("down.test", Type.A).getRcode()).as("failures are not cached").isEqualTo(Rcode.SERVFAIL);
        assertThat(silent.received).hasSize(2);
    }

    @Test
    void queriesBeyondTheBurstAreRefusedUntilTokensRefill() throws Exception {
        Dnsmasq dnsmasq = Dnsmasq.start(dir, "--address=/name.test/198.51.100.10");
        stops.add(dnsmasq);
        start(List.of(dnsmasq.address()), 2, 3);
        List<Integer> rcodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) rcodes.add(dig.udp("name.test", Type.A).getRcode());
        assertThat(rcodes.subList(0, 3)).containsOnly(Rcode.NOERROR);
        assertThat(rcodes.subList(3, 8)).isSubsetOf(Rcode.REFUSED, Rcode.NOERROR).contains(Rcode.REFUSED);
        assertThat(resolver.stats().rateLimited()).isGreaterThanOrEqualTo(3);
        assertThat(dnsmasq.queries()).as("rate-limited queries are not forwarded").isEqualTo(1);
        Thread.sleep(600);
        assertThat(dig.udp("name.test", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void garbageDoesNotKillIt() throws Exception {
        Dnsmasq dnsmasq = Dnsmasq.start(dir, "--address=/name.test/198.51.100.10");
        stops.add(dnsmasq);
        start(List.of(dnsmasq.address()), 10_000, 10_000);
        Random random = new Random(13);
        try (DatagramSocket s = new DatagramSocket(0, GUEST)) {
            s.setSoTimeout(300);
            InetSocketAddress to = new InetSocketAddress(GUEST, resolver.port());
            assertThat(exchange(s, to, new byte[0])).as("empty").isNull();
            assertThat(exchange(s, to, new byte[] {1, 2, 3, 4, 5})).as("no header").isNull();
            Message answerSent = Dig.query("name.test", Type.A);
            answerSent.getHeader().setFlag(Flags.QR);
            assertThat(exchange(s, to, answerSent.toWire())).as("an answer is never answered").isNull();
            byte[] headerOnly = new byte[12];
            headerOnly[5] = 3; // three questions promised, none there
            assertThat(rcode(exchange(s, to, headerOnly))).isEqualTo(Rcode.FORMERR);
            Message two = Dig.query("name.test", Type.A);
            two.addRecord(Record.newRecord(Name.fromConstantString("x.name.test."), Type.A, DClass.IN), Section.QUESTION);
            assertThat(rcode(exchange(s, to, two.toWire()))).isEqualTo(Rcode.FORMERR);
            assertThat(rcode(exchange(s, to, Dig.query("name.test", Type.ANY).toWire()))).isEqualTo(Rcode.NOTIMP);
            Message chaos = Message.newQuery(Record.newRecord(Name.fromConstantString("version.bind."), Type.TXT, DClass.CH));
            assertThat(rcode(exchange(s, to, chaos.toWire()))).isEqualTo(Rcode.REFUSED);
            Message update = Dig.query("name.test", Type.A);
            update.getHeader().setOpcode(Opcode.UPDATE);
            assertThat(rcode(exchange(s, to, update.toWire()))).isEqualTo(Rcode.NOTIMP);
            for (int i = 0; i < 2000; i++) { // random bytes, and valid queries with random bytes flipped, not waiting
                byte[] b = i % 2 == 0 ? new byte[random.nextInt(600)] : Dig.query("f" + i + ".name.test", Type.A).toWire();
                if (i % 2 == 0) random.nextBytes(b);
                else for (int k = 0; k < 3; k++) b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                s.send(new DatagramPacket(b, b.length, to));
            }
        }
        for (byte[] junk : List.of(new byte[] {0, 100, 1, 2, 3}, new byte[] {0, 0}, new byte[] {0, 5, 1, 2, 3, 4, 5}, new byte[] {7})) {
            try (Socket t = new Socket(GUEST, resolver.port())) { // cut mid-message, zero length, too short, half a prefix
                t.setSoTimeout(2000);
                new DataOutputStream(t.getOutputStream()).write(junk);
                t.shutdownOutput();
                assertThat(t.getInputStream().read()).isEqualTo(-1);
            }
        }
        assertThat(Dig.answers(dig.udp("name.test", Type.A))).containsExactly("198.51.100.10");
        assertThat(Dig.answers(dig.tcp("name.test", Type.A))).containsExactly("198.51.100.10");
    }

    private static byte[] exchange(DatagramSocket s, InetSocketAddress to, byte[] wire) throws Exception {
        s.send(new DatagramPacket(wire, wire.length, to));
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    private static int rcode(byte[] answer) throws Exception {
        assertThat(answer).isNotNull();
        Header h = new Header(answer);
        assertThat(h.getFlag(Flags.QR)).isTrue();
        return h.getRcode();
    }
}
