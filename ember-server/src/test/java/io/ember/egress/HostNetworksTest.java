package io.ember.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host network check against real interfaces, in a network namespace this test creates (no traffic is sent). */
class HostNetworksTest {
    final String ns = "ember-hn-" + ProcessHandle.current().pid();

    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
    }

    @BeforeEach
    void setUp() throws Exception {
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "add", "br-lan", "type", "bridge");
        sh("ip", "-n", ns, "addr", "add", "203.0.113.1/24", "dev", "br-lan");
        sh("ip", "-n", ns, "link", "add", "br-bare", "type", "bridge");
    }

    @AfterEach
    void tearDown() throws Exception {
        sh("ip", "netns", "delete", ns);
    }

    @Test
    void onlyAnInterfaceThatExistsIsNotLoopbackAndHasAnIpv4AddressWill() {
        HostNetworks hosts = HostNetworks.inNamespace(ns);
        assertThat(hosts.problem("br-lan")).isEmpty();
        assertThat(hosts.problem("br-bare")).contains("hostNetwork br-bare has no IPv4 address");
        assertThat(hosts.problem("lo")).hasValueSatisfying(s -> assertThat(s).contains("loopback"));
        assertThat(hosts.problem("br-none")).contains("hostNetwork br-none is not an interface on this host");
        for (String name : List.of("br-lan", "br-bare")) assertThat(HostNetworks.host().problem(name)).isPresent();
    }
}
