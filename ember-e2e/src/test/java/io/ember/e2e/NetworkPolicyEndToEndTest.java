package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.dns.Resolver;
import io.ember.dns.ResolverConfig;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressRule;
import io.ember.network.DnsRegistry;
import io.ember.network.NetworkSettings;
import io.ember.network.Networks;
import io.ember.network.VmNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host-side enforcement of every egress policy (docs/network.md), through the real namespaces, veths, nftables
 * rules and resolver a server makes, with a fake guest on each microVM's link (FakeGuest) and a fake internet in its
 * own namespaces: nothing here leaves the test's namespaces.
 */
class NetworkPolicyEndToEndTest {
    static FakeInternet internet;
    static TestPool pool;
    static Resolver resolver;
    static Networks networks;

    @BeforeAll
    static void up() throws Exception {
        internet = FakeInternet.start();
        pool = TestPool.acquire();
        resolver = Resolver.start(new ResolverConfig(InetAddress.getByName("0.0.0.0"), 0,
                List.of(new InetSocketAddress(internet.dns(), 53)), 1000, 50, 200, Duration.ofSeconds(2)));
        networks = Networks.start(NetworkSettings.on().withPool(pool.cidr).withDnsPort(resolver.port()), DnsRegistry.of(resolver));
    }

    @AfterAll
    static void down() throws Exception {
        if (pool != null) Networks.purge(NetworkSettings.on().withPool(pool.cidr)); // every namespace, veth, the host table
        if (resolver != null) resolver.close();
        if (pool != null) pool.close();
        if (internet != null) internet.close();
    }

    private static FakeGuest guest(String id, EgressPolicy policy) throws Exception {
        VmNetwork n = networks.attach(id, policy);
        return FakeGuest.on(n, "fg-" + id);
    }

    @Test
    void theDefaultPolicyReachesThePublicInternetByNameAndNothingElse() throws Exception {
        try (FakeGuest g = guest("dflt", EgressPolicy.INTERNET); FakeGuest neighbour = guest("nbr", EgressPolicy.INTERNET);
             ServerSocket hostPort = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            assertThat(g.resolve("web.test")).isEqualTo(internet.web());
            assertThat(g.get("web.test")).isEqualTo("hello from web.test");
            assertThat(g.connect(internet.other(), 80)).isEqualTo("ok");

            int udpBefore = internet.udpPackets();
            g.udp(internet.web(), FakeInternet.UDP_PORT, 20);
            int directBefore = internet.dnsQueries("direct.web.test");
            assertThat(g.dnsDirect(internet.dns(), "direct.web.test")).isEqualTo("timeout");
            Thread.sleep(500);
            assertThat(internet.udpPackets()).as("UDP datagrams that reached the fake internet").isEqualTo(udpBefore);
            assertThat(internet.dnsQueries("direct.web.test")).as("DNS sent past Ember's resolver").isEqualTo(directBefore);

            VmNetwork mine = networks.attach("dflt", EgressPolicy.INTERNET);
            VmNetwork theirs = networks.attach("nbr", EgressPolicy.INTERNET);
            int port = hostPort.getLocalPort();
            assertThat(g.connect(mine.gateway(), port)).as("the namespace itself").isNotEqualTo("ok");
            assertThat(g.connect(internet.hostSide(), port)).as("the host's address on the uplink").isNotEqualTo("ok");
            assertThat(g.connect("127.0.0.1", port)).isNotEqualTo("ok");
            assertThat(g.connect(theirs.guest(), 80)).as("another microVM").isNotEqualTo("ok");
            assertThat(g.connect(internet.lanHost(), 80)).as("a private range").isNotEqualTo("ok");
            assertThat(g.connect("169.254.169.254", 80)).as("link-local (cloud metadata)").isNotEqualTo("ok");
            assertThat(neighbour.get("web.test")).isEqualTo("hello from web.test");
        }
    }

    @Test
    void anAllowListAnswersOnlyItsNamesAndReachesOnlyTheirAddresses() throws Exception {
        EgressPolicy allowList = new EgressPolicy(EgressPolicy.Action.DENY, List.of(
                EgressRule.domain(EgressPolicy.Action.ALLOW, "web.test", EgressRule.Protocol.TCP, EgressRule.PortRange.parse("80"))),
                null, 0, 0);
        try (FakeGuest g = guest("allow", allowList)) {
            int before = internet.dnsQueries("other.test");
            assertThat(g.resolve("other.test")).isEqualTo("gaierror");
            assertThat(internet.dnsQueries("other.test")).as("queries for a denied name that left the host").isEqualTo(before);
            assertThat(g.connect(internet.other(), 80)).as("an address no allowed name resolved to").isNotEqualTo("ok");
            assertThat(g.connect(internet.web(), 80)).as("before its name was resolved").isNotEqualTo("ok");
            assertThat(g.get("web.test")).isEqualTo("hello from web.test");
            assertThat(g.connect(internet.web(), 80)).isEqualTo("ok");
        }
    }

    @Test
    void denyAllSendsNothingAnywhere() throws Exception {
        try (FakeGuest g = guest("none", EgressPolicy.NONE)) {
            int before = internet.dnsQueries("web.test");
            assertThat(g.resolve("web.test")).isEqualTo("gaierror");
            assertThat(internet.dnsQueries("web.test")).isEqualTo(before);
            assertThat(g.connect(internet.web(), 80)).isNotEqualTo("ok");
        }
    }

    @Test
    void aHostNetworkReachesThePrivateHostTheDefaultPolicyCannot() throws Exception {
        EgressPolicy lan = new EgressPolicy(EgressPolicy.Action.ALLOW, List.of(), internet.lanInterface(), 0, 0);
        try (FakeGuest g = guest("lan", lan); FakeGuest plain = guest("plain", EgressPolicy.INTERNET)) {
            assertThat(g.get(internet.lanHost())).isEqualTo("private database");
            assertThat(plain.connect(internet.lanHost(), 80)).isNotEqualTo("ok");
        }
    }

    @Test
    void udpToANamedDestinationIsAllowedOnlyByARule() throws Exception {
        EgressPolicy udp = new EgressPolicy(EgressPolicy.Action.ALLOW, List.of(EgressRule.cidr(EgressPolicy.Action.ALLOW,
                internet.web(), EgressRule.Protocol.UDP, EgressRule.PortRange.parse(Integer.toString(FakeInternet.UDP_PORT)))),
                null, 0, 0);
        try (FakeGuest g = guest("udp", udp)) {
            int before = internet.udpPackets();
            g.udp(internet.web(), FakeInternet.UDP_PORT, 5);
            Thread.sleep(500);
            assertThat(internet.udpPackets() - before).isEqualTo(5);
        }
    }

    @Test
    void theConnectionCapRefusesOneConnectionMoreThanThePolicyAllows() throws Exception {
        EgressPolicy three = new EgressPolicy(EgressPolicy.Action.ALLOW, List.of(), null, 0, 3);
        try (FakeGuest g = guest("cap", three)) {
            String opened = g.python("import socket\nkeep=[]\nfor i in range(4):\n try: keep.append(socket.create_connection(('"
                    + internet.web() + "',80),2))\n except Exception as e: print(type(e).__name__)\nprint(len(keep))");
            assertThat(opened.lines().toList()).as("three connections held open, the fourth refused").endsWith("3");
            assertThat(g.connect(internet.web(), 80)).as("once they are closed").isEqualTo("ok");
        }
    }

    @Test
    void reconcileRemovesWhatBelongsToNoMicrovm() throws Exception {
        VmNetwork n = networks.attach("orphan", EgressPolicy.INTERNET);
        assertThat(Files.exists(n.namespace())).isTrue();
        Networks restarted = Networks.start(NetworkSettings.on().withPool(pool.cidr).withDnsPort(resolver.port()),
                DnsRegistry.of(resolver));
        restarted.reconcile(Map.of("dflt", EgressPolicy.INTERNET));
        assertThat(Files.exists(n.namespace())).isFalse();
        assertThat(Path.of("/sys/class/net").toFile().list()).noneMatch(l -> l.equals(n.namespace().getFileName().toString()));
    }
}
