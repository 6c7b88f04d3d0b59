package io.ember.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceKeyTest {
    private static String key(String address) throws Exception {
        return EndpointServer.sourceKey(InetAddress.getByName(address));
    }

    @Test
    void ipv4AddressesCountApartAndAnIpv6SlashSixtyFourCountsAsOne() throws Exception {
        assertThat(key("127.0.0.1")).isEqualTo("127.0.0.1").isNotEqualTo(key("127.0.0.2"));
        assertThat(key("2001:db8:1:2::1")).isEqualTo(key("2001:db8:1:2:ffff:ffff:ffff:ffff")).isEqualTo("20010db800010002::/64");
        assertThat(key("2001:db8:1:3::1")).isNotEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("::ffff:198.51.100.7")).isEqualTo("198.51.100.7"); // IPv4-mapped: Java gives the IPv4 address
    }
}
