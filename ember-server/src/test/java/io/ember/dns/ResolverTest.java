package io.ember.dns;

import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressPolicy.Action;
import io.ember.egress.EgressRule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.ember.dns.Dig.GUEST;
import static io.ember.dns.Dig.OTHER_GUEST;
import static io.ember.dns.Dig.STRANGER;
import static org.assertj.core.api.Assertions.assertThat;

/** The resolver's guarantees against a real dnsmasq upstream (docs/dns.md). */
class ResolverTest {
    @TempDir
    static Path dir;
    static Dnsmasq upstream;

    Resolver resolver;
    Dig dig;
    final List<String> pinned = new CopyOnWriteArrayList<>();

    /** Only names under *.pinned.test, pinned under rule 0; *.evil.test denied by rule 1 (never reached). */
    static final EgressPolicy ALLOW_LIST = new EgressPolicy(Action.DENY, List.of(
            EgressRule.domain(Action.ALLOW, "*.pinned.test", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL),
            EgressRule.domain(Action.DENY, "*.evil.test", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL)), null, 0, 0);

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = Dnsmasq.start(dir, "--address=/name.test/198.51.100.10", "--address=/www.pinned.test/198.51.100.20",
                "--address=/www.evil.test/198.51.100.66", "--host-record=edge.cdn.test,198.51.100.31",
                "--cname=cdn.pinned.test,edge.cdn.test", "--local=/cdn.test/", "--address=/nx.test/",
                "--txt-record=big.test," + String.join(",", java.util.Collections.nCopies(6, "a".repeat(250))));
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstream.close();
    }

    @BeforeEach
    void start() throws Exception {
        resolver = Resolver.start(config(List.of(upstream.address()), 100, 200));
        dig = new Dig(resolver.port());
        resolver.register((Inet4Address) GUEST, "vm-1", EgressPolicy.INTERNET, (rule, addresses, ttl) -> pinned.add("vm-1 " + rule + " " + addresses + " " + ttl));
    }

    @AfterEach
    void stop() throws Exception {
        resolver.close();
    }

    static ResolverConfig config(List<java.net.InetSocketAddress> upstreams, int qps, int burst) {
        return new ResolverConfig(Dig.GUEST, 0, upstreams, 10_000, qps, burst, Duration.ofMillis(800));
    }

    @Test
    void allowedNameResolvesOverUdpAndTcp() throws Exception {
        Message udp = dig.udp("name.test", Type.A), tcp = dig.tcp("x.name.test", Type.A);
        assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Dig.answers(udp)).containsExactly("198.51.100.10");
        assertThat(tcp.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Dig.answers(tcp)).containsExactly("198.51.100.10");
        assertThat(udp.getHeader().getFlag(Flags.RA)).isTrue();
        assertThat(resolver.stats().forwarded()).isEqualTo(2);
        assertThat(pinned).as("the default action allowed these: no rule to pin under").isEmpty();
    }

    @Test
    void aDeniedNameIsNxdomainAndNeverLeavesTheHost() throws Exception {
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> pinned.add(rule + " " + addresses));
        long before = upstream.queries();
        Message notListed = dig.udp("name.test", Type.A), denied = dig.tcp("www.evil.test", Type.A),
                garbageName = dig.udp("bad\\000name.test", Type.A);
        assertThat(List.of(notListed.getRcode(), denied.getRcode(), garbageName.getRcode())).containsOnly(Rcode.NXDOMAIN);
        assertThat(notListed.getSection(Section.ANSWER)).isEmpty();
        assertThat(upstream.queries()).as("queries that reached the upstream").isEqualTo(before);
        assertThat(resolver.stats().denied()).isEqualTo(3);
        assertThat(resolver.stats().forwarded()).isZero();
        assertThat(dig.udp("www.pinned.test", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(upstream.queries()).isEqualTo(before + 1);
    }

    @Test
    void anUnknownClientIsRefusedAndNothingIsForwarded() throws Exception {
        long before = upstream.queries();
        Message m = dig.from(STRANGER, "name.test", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.REFUSED);
        resolver.unregister((Inet4Address) GUEST);
        assertThat(dig.udp("name.test", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(upstream.queries()).isEqualTo(before);
        assertThat(resolver.stats().refused()).isEqualTo(2);
    }

    @Test
    void aCacheHitAsksUpstreamOnceForTwoLookups() throws Exception {
        long before = upstream.queries("c.name.test");
        Message first = dig.udp("c.name.test", Type.A), second = dig.tcp("C.Name.TEST", Type.A);
        assertThat(Dig.answers(second)).isEqualTo(Dig.answers(first)).containsExactly("198.51.100.10");
        assertThat(second.getQuestion().getName().toString()).as("the guest's spelling comes back").isEqualTo("C.Name.TEST.");
        assertThat(second.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("C.Name.TEST.");
        assertThat(upstream.queries("c.name.test")).isEqualTo(before + 1);
        assertThat(resolver.stats().cacheHits()).isEqualTo(1);
        assertThat(second.getSection(Section.ANSWER).get(0).getTTL()).isBetween(298L, 300L);
    }

    @Test
    void aNegativeAnswerWithoutAnSoaIsNotCached() throws Exception {
        // dnsmasq's local NXDOMAIN and NODATA carry no SOA, so nothing says how long they hold (RFC 2308 section 5)
        Message nx = dig.udp("gone.nx.test", Type.A), nodata = dig.udp("edge.cdn.test", Type.AAAA);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nx.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        dig.udp("gone.nx.test", Type.A);
        dig.tcp("edge.cdn.test", Type.AAAA);
        assertThat(upstream.queries("gone.nx.test")).isEqualTo(2);
        assertThat(upstream.queries("edge.cdn.test")).isEqualTo(2);
    }

    @Test
    void pinsGetTheRuleAndAddressesBeforeTheAnswerIsSent() throws Exception {
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> {
            pinned.add(rule + " " + addresses + " " + ttl);
            entered.countDown();
            release.await();
        });
        CompletableFuture<Message> answer = dig.async("www.pinned.test", Type.A);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        assertThat(answer).as("the answer waits for the pin").isNotDone();
        release.countDown();
        Message m = answer.get(5, TimeUnit.SECONDS);
        assertThat(Dig.answers(m)).containsExactly("198.51.100.20");
        assertThat(pinned).containsExactly("0 [/198.51.100.20] PT5M");
    }

    @Test
    void aMicrovmWhosePinsHangHoldsAtMostItsOwnSlots() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> release.await());
        resolver.register((Inet4Address) OTHER_GUEST, "vm-2", EgressPolicy.INTERNET, (rule, addresses, ttl) -> {});
        List<CompletableFuture<Message>> hung = new java.util.ArrayList<>();
        for (int i = 0; i < QueryHandler.CLIENT_IN_FLIGHT; i++) hung.add(dig.async("h" + i + ".www.pinned.test", Type.A));
        Thread.sleep(500); // let every one reach its pin
        assertThat(hung).noneMatch(CompletableFuture::isDone);
        assertThat(dig.udp("one.more.www.pinned.test", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(dig.from(OTHER_GUEST, "name.test", Type.A).getRcode()).as("a neighbour is not held up").isEqualTo(Rcode.NOERROR);
        release.countDown();
        for (CompletableFuture<Message> f : hung) assertThat(f.get(5, TimeUnit.SECONDS).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(dig.udp("one.more.www.pinned.test", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void aCnameChainPinsItsAddressesUnderTheAskedNamesRule() throws Exception {
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> pinned.add(rule + " " + addresses));
        Message m = dig.udp("cdn.pinned.test", Type.A);
        assertThat(Dig.answers(m)).containsExactly("edge.cdn.test.", "198.51.100.31");
        assertThat(pinned).containsExactly("0 [/198.51.100.31]");
    }

    @Test
    void aPinThatFailsAnswersServfail() throws Exception {
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> {
            throw new IllegalStateException("nft said no");
        });
        Message m = dig.udp("www.pinned.test", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aCacheHitStillPinsForEachMicrovm() throws Exception {
        List<String> other = new CopyOnWriteArrayList<>();
        resolver.register((Inet4Address) GUEST, "vm-1", ALLOW_LIST, (rule, addresses, ttl) -> pinned.add(rule + " " + addresses));
        resolver.register((Inet4Address) OTHER_GUEST, "vm-2", ALLOW_LIST, (rule, addresses, ttl) -> other.add(rule + " " + addresses));
        long before = upstream.queries("www.pinned.test");
        dig.udp("www.pinned.test", Type.A);
        dig.from(OTHER_GUEST, "www.pinned.test", Type.A);
        dig.udp("www.pinned.test", Type.A);
        assertThat(upstream.queries("www.pinned.test")).isEqualTo(before + 1);
        assertThat(pinned).containsExactly("0 [/198.51.100.20]", "0 [/198.51.100.20]");
        assertThat(other).containsExactly("0 [/198.51.100.20]");
    }

    @Test
    void reverseLookupsOfPrivateRangesStayLocal() throws Exception {
        long before = upstream.queries();
        assertThat(dig.udp("4.3.2.10.in-addr.arpa", Type.PTR).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dig.udp("1.0.0.127.in-addr.arpa", Type.PTR).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dig.udp("168.192.in-addr.arpa", Type.SOA).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dig.udp("4.3.2.10.IN-ADDR.Arpa", Type.PTR).getRcode()).as("in any case").isEqualTo(Rcode.NXDOMAIN);
        assertThat(upstream.queries()).isEqualTo(before);
        Message testNet = dig.udp("31.100.51.198.in-addr.arpa", Type.PTR);
        assertThat(Dig.answers(testNet)).containsExactly("edge.cdn.test.");
    }

    @Test
    void aBigAnswerIsTruncatedOverUdpAndWholeOverTcp() throws Exception {
        var udp = dig.resolver(GUEST, false);
        udp.setIgnoreTruncation(true);
        Message cut = udp.send(Dig.query("big.test", Type.TXT));
        assertThat(cut.getHeader().getFlag(Flags.TC)).isTrue();
        Message whole = dig.tcp("big.test", Type.TXT);
        assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(whole.getSection(Section.ANSWER)).hasSize(1);
        assertThat(whole.numBytes()).isGreaterThan(1232);
    }
}
