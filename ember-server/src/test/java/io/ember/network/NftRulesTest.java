package io.ember.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.egress.Cidr;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressRule;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules as text (that the kernel takes them and what they do is NetworkPolicyEndToEndTest's). */
class NftRulesTest {
    final AddressPlan slot3 = new AddressPlan("fa00", Cidr.parse("10.250.0.0/16"), 3);

    @Test
    void slotsSplitTheirSlashTwentyNineInTwoLinks() {
        assertThat(slot3.hostAddress()).isEqualTo("10.250.0.25");
        assertThat(slot3.namespaceAddress()).isEqualTo("10.250.0.26");
        assertThat(slot3.gateway()).isEqualTo("10.250.0.29");
        assertThat(slot3.guest()).isEqualTo("10.250.0.30");
        assertThat(slot3.guestLink()).isEqualTo("10.250.0.28/30");
        assertThat(slot3.mac()).isEqualTo("02:eb:0a:fa:00:1e");
        assertThat(new AddressPlan("fa00", Cidr.parse("10.250.0.0/16"), 8191).hostVeth()).isEqualTo("emfa00-1fff").hasSizeLessThanOrEqualTo(15);
        assertThatThrownBy(() -> new AddressPlan("fa00", Cidr.parse("10.250.0.0/16"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AddressPlan("fa00", Cidr.parse("10.250.0.0/16"), 8192)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NetworkSettings.on().tag()).isEqualTo("fa00");
    }

    @Test
    void theDefaultPolicyAllowsPublicTcpAndDropsUdpAfterTheResolver() {
        String r = NftRules.vm(slot3, EgressPolicy.INTERNET, List.of(), 8853, 200, 1024);
        assertThat(r).contains("dnat ip to 10.250.0.25:8853", "ip saddr != 10.250.0.30 counter drop",
                "limit rate over 25000 kbytes/second", "ct count over 1024", "meta l4proto udp counter drop",
                "meta l4proto tcp counter accept", "meta nfproto ipv6 counter drop", "10.0.0.0/8", "169.254.0.0/16");
        assertThat(r.indexOf("th dport 8853 counter accept")).as("DNS to the resolver before the never-reachable drop")
                .isLessThan(r.indexOf("ip daddr @never"));
        assertThat(r.indexOf("ip daddr @never")).isLessThan(r.indexOf("meta l4proto tcp counter accept"));
        assertThat(r).doesNotContain("10.250.0.0/16").as("the pool is inside 10/8 already");
    }

    @Test
    void anAllowListHasOneSetPerDomainRuleAndEndsInDrop() {
        EgressPolicy p = new EgressPolicy(EgressPolicy.Action.DENY, List.of(
                EgressRule.domain(EgressPolicy.Action.DENY, "bad.example.com", null, null),
                EgressRule.domain(EgressPolicy.Action.ALLOW, "*.example.com", EgressRule.Protocol.TCP, EgressRule.PortRange.parse("443")),
                EgressRule.cidr(EgressPolicy.Action.ALLOW, "203.0.113.0/24", EgressRule.Protocol.UDP, EgressRule.PortRange.parse("5000-5010"))),
                "br-lan", 0, 0);
        String r = NftRules.vm(slot3, p, List.of(Cidr.parse("192.168.7.0/24")), 8853, 200, 1024);
        assertThat(r).contains("set d1 {", "ip daddr @d1 meta l4proto tcp th dport 443 counter accept",
                "ip daddr 203.0.113.0/24 meta l4proto udp th dport 5000-5010 counter accept",
                "elements = { 192.168.7.0/24 }", "ip daddr @hostnet meta l4proto tcp counter accept")
                .doesNotContain("set d0").doesNotContain("meta l4proto tcp counter accept\n    icmp");
        assertThat(r.trim()).contains("    counter drop\n  }\n}\ntable arp ember");
    }

    @Test
    void aPinRefreshesItsTimeoutWhetherOrNotItWasThere() throws Exception {
        String pin = NftRules.pin(1, List.of((java.net.Inet4Address) InetAddress.getByName("198.51.100.7")), Duration.ofSeconds(90));
        assertThat(pin).isEqualTo("add element inet ember d1 { 198.51.100.7 }\ndelete element inet ember d1 { 198.51.100.7 }\n"
                + "add element inet ember d1 { 198.51.100.7 timeout 90s }\n");
    }

    @Test
    void theHostTableLetsMicrovmsReachOnlyTheResolver() {
        String h = NftRules.host("fa00", Cidr.parse("10.250.0.0/16"), 8853);
        assertThat(h).contains("iifname \"emfa00-*\" ip daddr 10.250.0.0/16 meta l4proto { tcp, udp } th dport 8853 accept",
                "iifname \"emfa00-*\" counter drop", "iifname \"emfa00-*\" oifname \"emfa00-*\" counter drop",
                "ip saddr 10.250.0.0/16 oifname != \"emfa00-*\" masquerade");
    }
}
