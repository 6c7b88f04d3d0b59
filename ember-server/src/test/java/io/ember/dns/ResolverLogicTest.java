package io.ember.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts: upstream syntax, resolv.conf, cache expiry and bound, token bucket, private reverse names. */
class ResolverLogicTest {
    @Test
    void upstreamsParseFromIpPortAndBracketedIpv6() {
        assertThat(ResolverConfig.parseUpstream("198.51.100.53")).isEqualTo(new InetSocketAddress(Dig.address("198.51.100.53"), 53));
        assertThat(ResolverConfig.parseUpstream("198.51.100.53:5353").getPort()).isEqualTo(5353);
        assertThat(ResolverConfig.parseUpstream("[2001:db8::1]:853")).isEqualTo(new InetSocketAddress(Dig.address("2001:db8::1"), 853));
        assertThat(ResolverConfig.parseUpstream("2001:db8::1").getPort()).isEqualTo(53);
        assertThat(ResolverConfig.parseUpstream("[2001:db8::1]").getPort()).isEqualTo(53);
        for (String bad : List.of("", "dns.google", "198.51.100.53:0", "198.51.100.53:65536", "198.51.100.53:x",
                "[2001:db8::1", "[2001:db8::1]853", "1.2.3", "01.2.3.4", "[not:an:ip:zz]:53"))
            assertThatThrownBy(() -> ResolverConfig.parseUpstream(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS upstream");
    }

    @Test
    void hostResolversAreTheNameserverLines() {
        String conf = """
                # generated
                search example.internal
                nameserver 198.51.100.53
                nameserver  2001:db8::53
                nameserver not-an-address
                options edns0
                """;
        assertThat(ResolverConfig.hostResolvers(conf)).containsExactly(new InetSocketAddress(Dig.address("198.51.100.53"), 53),
                new InetSocketAddress(Dig.address("2001:db8::53"), 53));
    }

    @Test
    void aConfigWithoutUpstreamsOrWithNonsenseIsRejected() {
        var up = List.of(new InetSocketAddress(Dig.GUEST, 53));
        Duration t = Duration.ofSeconds(2);
        assertThatThrownBy(() -> new ResolverConfig(Dig.GUEST, 0, List.of(), 10, 50, 200, t)).hasMessageContaining("upstream");
        assertThatThrownBy(() -> new ResolverConfig(Dig.GUEST, 70000, up, 10, 50, 200, t)).hasMessageContaining("port");
        assertThatThrownBy(() -> new ResolverConfig(Dig.GUEST, 0, up, 10, 0, 200, t)).hasMessageContaining("queriesPerSecond");
        assertThatThrownBy(() -> new ResolverConfig(Dig.GUEST, 0, up, 10, 50, 200, Duration.ZERO)).hasMessageContaining("upstreamTimeout");
        assertThatThrownBy(() -> new ResolverConfig(Dig.GUEST, 0, List.of(InetSocketAddress.createUnresolved("dns.test", 53)), 10, 50, 200, t))
                .hasMessageContaining("IP address");
    }

    @Test
    void theCacheAgesTtlsExpiresAndStaysBounded() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        AnswerCache cache = new AnswerCache(2, now::get);
        cache.put("a.test", Type.A, positive("a.test", 100));
        now.addAndGet(40_000_000_000L);
        assertThat(cache.get("A.TEST", Type.A).answer().get(0).getTTL()).isEqualTo(60);
        assertThat(cache.get("a.test", Type.AAAA)).isNull();
        now.addAndGet(60_000_000_000L);
        assertThat(cache.get("a.test", Type.A)).as("expired after its TTL").isNull();

        cache.put("b.test", Type.A, positive("b.test", 7200));
        cache.put("zero.test", Type.A, positive("zero.test", 0));
        assertThat(cache.size()).as("TTL 0 is not kept").isEqualTo(1);
        cache.put("c.test", Type.A, positive("c.test", 100));
        cache.get("b.test", Type.A); // b is now the most recent
        cache.put("d.test", Type.A, positive("d.test", 100));
        assertThat(cache.get("c.test", Type.A)).as("the least recently used left").isNull();
        assertThat(cache.get("b.test", Type.A)).isNotNull();
        now.addAndGet(3600_000_000_000L);
        assertThat(cache.get("b.test", Type.A)).as("kept an hour at most, whatever its TTL").isNull();
    }

    @Test
    void aCnameChainsAddressesAreItsARecords() throws Exception {
        Name asked = Name.fromString("cdn.test."), edge = Name.fromString("edge.test.");
        Answer a = new Answer(Rcode.NOERROR, List.of(new CNAMERecord(asked, DClass.IN, 300, edge),
                new ARecord(edge, DClass.IN, 90, Dig.address("198.51.100.1")), new ARecord(edge, DClass.IN, 120, Dig.address("198.51.100.2"))),
                List.of(), List.of());
        assertThat(a.addresses()).containsExactly((java.net.Inet4Address) Dig.address("198.51.100.1"),
                (java.net.Inet4Address) Dig.address("198.51.100.2"));
        assertThat(a.addressTtl()).isEqualTo(90);
        assertThat(a.cacheSeconds()).isEqualTo(90);
        assertThat(a.aged(100).answer()).extracting(Record::getTTL).containsExactly(200L, 0L, 20L);
    }

    @Test
    void theTokenBucketAllowsTheBurstThenTheRate() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(10, 3, now::get);
        assertThat(List.of(b.take(), b.take(), b.take(), b.take())).containsExactly(true, true, true, false);
        now.addAndGet(100_000_000L); // a tenth of a second: one token at 10/s
        assertThat(List.of(b.take(), b.take())).containsExactly(true, false);
        now.addAndGet(60_000_000_000L);
        assertThat(List.of(b.take(), b.take(), b.take(), b.take())).as("never more than the burst").containsExactly(true, true, true, false);
    }

    @Test
    void reverseNamesOfNeverReachableRangesAreKnown() {
        assertThat(ReverseNames.neverReachable("4.3.2.10.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("10.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("1.1.168.192.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("20.172.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("x.10.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("254.169.in-addr.arpa")).isTrue();
        assertThat(ReverseNames.neverReachable("172.in-addr.arpa")).as("172/8 is mostly public").isFalse();
        assertThat(ReverseNames.neverReachable("10.100.51.198.in-addr.arpa")).isFalse();
        assertThat(ReverseNames.neverReachable("in-addr.arpa")).isFalse();
        assertThat(ReverseNames.neverReachable("10.example.test")).isFalse();
    }

    private static Answer positive(String name, long ttl) {
        return new Answer(Rcode.NOERROR, List.of(Record.newRecord(Name.fromConstantString(name + "."), Type.A, DClass.IN, ttl,
                new byte[] {(byte) 198, 51, 100, 1})), List.of(), List.of());
    }
}
