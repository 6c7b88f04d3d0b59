package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.egress.Cidr;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.CreateMicrovmImageRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real guests on real networks (docs/network.md): a server with networking on, whose only "internet" is a FakeInternet
 * in namespaces this test made, and whose resolver forwards to the fake internet's DNS server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkEndToEndTest {
    /** A probe run with python3 in the guest (NetProbes: the same code the fake guest runs). */
    static String py(String body) {
        return NetProbes.shell(body);
    }

    static String connect(String address, int port) {
        return py(NetProbes.connect(address, port));
    }

    static String get(String host) {
        return py(NetProbes.get(host));
    }

    /** One line (a Dockerfile's RUN): "ok" when a TCP connection is made, else "blocked". */
    static String probe(String address, int port) {
        return "(python3 -c 'import socket; socket.create_connection((\"" + address + "\"," + port + "),3)' 2>/dev/null && echo ok || echo blocked)";
    }

    static final String ADDRESS = py("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            + "s.connect(('198.51.100.1',9));print(s.getsockname()[0])");

    FakeInternet internet;
    EmberTestServer server;
    Path tmp;

    @BeforeAll
    void start() throws Exception {
        internet = FakeInternet.start();
        server = EmberTestServer.withNetwork(internet);
        tmp = Files.createTempDirectory("ember-net-e2e");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (internet != null) internet.close();
            if (tmp != null) EmberTestServer.deleteTree(tmp);
        }
    }

    @Test
    @Order(1)
    void aGuestReachesTheInternetByNameThroughEmbersResolverAndNothingElse() throws Exception {
        try (TestVm vm = TestVm.run(server, "debian");
             ServerSocket hostPort = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            assertThat(vm.ok("cat /etc/resolv.conf")).contains("nameserver 169.254.169.253");
            assertThat(vm.ok(py("import socket;print(socket.gethostbyname('web.test'))")).strip()).isEqualTo(internet.web());
            assertThat(vm.ok(get("web.test")).strip()).isEqualTo("hello from web.test");

            int udp = internet.udpPackets();
            vm.ok(py("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(20): s.sendto(b'leak',('"
                    + internet.web() + "'," + FakeInternet.UDP_PORT + "))"));
            vm.sh("timeout 5 nslookup direct.web.test " + internet.dns() + " >/dev/null 2>&1");
            Thread.sleep(500);
            assertThat(internet.udpPackets()).as("UDP datagrams that reached the test host").isEqualTo(udp);
            assertThat(internet.dnsQueries("direct.web.test")).as("queries sent straight to the test DNS server").isZero();
            vm.ok("getent hosts via.web.test");
            assertThat(internet.dnsQueries("via.web.test")).as("the same kind of name through Ember's resolver").isPositive();

            String guest = vm.ok(ADDRESS).strip();
            assertThat(server.networkPool().contains(Cidr.parseAddress(guest))).as("guest address %s in the pool", guest).isTrue();
            String hostEnd = Cidr.format(Cidr.parseAddress(guest) - 5);
            int api = Integer.parseInt(server.endpoint().replaceAll(".*:", ""));
            // (169.254.169.254 is the guest agent's own metadata endpoint, inside the guest: docs/agent-protocol.md)
            for (String target : new String[] {hostEnd + ":" + hostPort.getLocalPort(), internet.hostSide() + ":" + hostPort.getLocalPort(),
                    hostEnd + ":" + api, internet.hostSide() + ":" + server.embedded().endpointPort(),
                    internet.lanHost() + ":80", "169.254.10.10:80", "10.0.2.2:" + api}) {
                String[] t = target.split(":");
                assertThat(vm.ok(connect(t[0], Integer.parseInt(t[1]))).strip()).as("connect to %s", target).isNotEqualTo("ok");
            }
        }
    }

    @Test
    @Order(2)
    void aMicrovmCannotReachAnother() throws Exception {
        try (TestVm a = TestVm.run(server, "debian"); TestVm b = TestVm.run(server, "debian")) {
            a.ok("nohup python3 -m http.server 8000 >/dev/null 2>&1 </dev/null &");
            String addressA = a.ok(ADDRESS).strip();
            for (int i = 0; i < 50 && !a.ok(connect("127.0.0.1", 8000)).strip().equals("ok"); i++) Thread.sleep(200);
            assertThat(a.ok(connect("127.0.0.1", 8000)).strip()).isEqualTo("ok");
            assertThat(b.ok(ADDRESS).strip()).isNotEqualTo(addressA);
            assertThat(b.ok(connect(addressA, 8000)).strip()).isNotEqualTo("ok");
            assertThat(b.ok(get("web.test")).strip()).isEqualTo("hello from web.test");
        }
    }

    @Test
    @Order(3)
    void theNetworkComesBackAfterSuspendAndResume() throws Exception {
        try (TestVm vm = TestVm.run(server, "debian")) {
            String before = vm.ok(ADDRESS).strip();
            server.client().suspendMicrovm(vm.id);
            assertThat(server.client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
            assertThat(vm.ok(get("web.test")).strip()).isEqualTo("hello from web.test"); // wakes it
            assertThat(vm.ok(ADDRESS).strip()).isEqualTo(before);
        }
    }

    @Test
    @Order(3)
    void aResumeAfterTheNetworkWasLostMakesItAgainAndTellsTheGuest() throws Exception {
        try (TestVm vm = TestVm.run(server, "debian")) {
            String guest = vm.ok(ADDRESS).strip();
            server.client().suspendMicrovm(vm.id);
            server.stopServerOnly();
            // As after a host reboot: /run is empty, the namespace is gone (the server finds out at its next start).
            int slot = (Cidr.parseAddress(guest) - server.networkPool().address()) / 8;
            String tag = server.networkTag();
            FakeInternet.sh("ip netns del ember-" + tag + "-" + slot);
            server.startAgain();
            assertThat(vm.ok(get("web.test")).strip()).isEqualTo("hello from web.test"); // wakes it on a new network
            assertThat(vm.ok("cat /etc/resolv.conf")).contains("nameserver 169.254.169.253");
        }
    }

    @Test
    @Order(4)
    void aBuildFetchesFromTheInternetAndItsClonesHaveNetworksOfTheirOwn() throws Exception {
        ServerSocket hostPort = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0")); // on every host address
        int api = hostPort.getLocalPort();
        String dockerfile = "FROM debian\n"
                + "RUN " + get("web.test") + " > /fetched\n"
                // QEMU user-mode NAT put the host's loopback at 10.0.2.2; a build's RUN must reach no host port
                + "RUN (" + probe("10.0.2.2", api) + "; " + probe(internet.hostSide(), api) + ") > /host-probe\n"
                + "CMD [\"sleep\", \"86400\"]\n";
        var upload = server.client().uploadCodeArtifact(CodeZip.dockerfile(dockerfile).write(tmp));
        var created = server.client().createMicrovmImage(CreateMicrovmImageRequest.of("networked", "debian", upload.codeArtifact()));
        MicrovmImageVersion v = server.client().waitForImageVersion("networked", created.imageVersion(), Duration.ofMinutes(10));
        assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);
        hostPort.close();
        try (TestVm a = TestVm.run(server, "networked"); TestVm b = TestVm.run(server, "networked")) {
            assertThat(a.ok("cat /fetched").strip()).isEqualTo("hello from web.test");
            assertThat(a.ok("cat /host-probe").lines().toList()).as("the build's probes of the host").noneMatch("ok"::equals).hasSize(2);
            assertThat(a.ok(get("web.test")).strip()).isEqualTo("hello from web.test");
            assertThat(b.ok(get("other.test")).strip()).isEqualTo("hello from other.test");
            assertThat(a.ok(ADDRESS).strip()).isNotEqualTo(b.ok(ADDRESS).strip());
            assertThat(a.ok("cat /sys/class/net/eth0/address").strip()).isNotEqualTo(b.ok("cat /sys/class/net/eth0/address").strip());
        }
    }

    @Test
    @Order(5)
    void aRestartKeepsRunningNetworksAndLeavesNoOrphans() throws Exception {
        String tag = server.networkTag();
        try (TestVm vm = TestVm.run(server, "debian")) {
            server.restart();
            assertThat(vm.ok(get("web.test")).strip()).isEqualTo("hello from web.test");
        }
        for (int i = 0; i < 100 && namespaces(tag) > 0; i++) Thread.sleep(100); // terminate is asynchronous
        server.restart();
        assertThat(namespaces(tag)).as("namespaces of this server left").isZero();
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            assertThat(links.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("em" + tag + "-"));
        }
    }

    private static long namespaces(String tag) throws Exception {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) return 0;
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("ember-" + tag + "-")).count();
        }
    }
}
