package io.ember.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressPolicy.Action;
import io.ember.egress.EgressRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;

/**
 * The resolver's handler fed any bytes as a query from a registered microVM, over UDP and over TCP (docs/dns.md). The
 * upstream is a closed loopback port (an allowed name fails at once: SERVFAIL); most names are denied by the policy.
 * Properties: no exception escapes; what is sent back is a DNS answer (QR set) to the query's id that dnsjava parses
 * again, at most 4,096 bytes over UDP; nothing is answered to bytes without a header or with QR set.
 */
class DnsQueryFuzzTest {
    private static final QueryHandler HANDLER = handler();

    @FuzzTest(maxDuration = "10s")
    void anyQuery(byte[] wire) throws IOException {
        for (boolean udp : new boolean[] {true, false}) {
            byte[] out = HANDLER.handle(wire, Dig.GUEST, udp);
            if (wire.length < Header.LENGTH || (wire[2] & 0x80) != 0) {
                assertThat(out).isNull();
                continue;
            }
            assertThat(out).isNotNull();
            Header h = new Header(out);
            assertThat(h.getFlag(Flags.QR)).isTrue();
            assertThat(h.getID()).isEqualTo((wire[0] & 255) << 8 | wire[1] & 255);
            new Message(out); // parses: we never send what a stub cannot read
            if (udp) assertThat(out.length).isLessThanOrEqualTo(QueryHandler.UDP_MAX);
        }
    }

    private static QueryHandler handler() {
        try {
            Counters counters = new Counters();
            InetSocketAddress closed = new InetSocketAddress(Dig.GUEST, Dnsmasq.freePort());
            Lookups lookups = new Lookups(new AnswerCache(1000, System::nanoTime),
                    new Upstreams(List.of(closed), Duration.ofMillis(50), counters), counters);
            EgressPolicy policy = new EgressPolicy(Action.DENY, List.of(
                    EgressRule.domain(Action.ALLOW, "*.fuzz.test", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL)), null, 0, 0);
            QueryHandler.Client client = new QueryHandler.Client("fuzz", policy, (rule, addresses, ttl) -> {},
                    new TokenBucket(1_000_000, 1_000_000, System::nanoTime));
            return new QueryHandler(Map.of((Inet4Address) Dig.GUEST, client), lookups, counters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
