package io.ember.e2e;

import io.ember.dns.Resolver;
import io.ember.dns.ResolverConfig;
import io.ember.egress.EgressPolicy;
import io.ember.network.DnsRegistry;
import io.ember.network.NetworkSettings;
import io.ember.network.Networks;
import io.ember.network.VmNetwork;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.RunMicrovmRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * bench/network: what a microVM's network costs (docs/network.md, "Figures"), medians side by side in one run.
 * Part 1, on the host's enforcement path with a fake guest on a microVM's link: TCP connect time and HTTP throughput
 * guest -> test host against the same from the host's namespace; DNS lookups through Ember's resolver, uncached and
 * cached. Part 2, real guests: launch from an image snapshot and resume, on a server with networks against one
 * without, alternating (alone: -Dbench.realOnly=true). Only the test's own namespaces are contacted.
 */
public final class NetworkBench {
    private static final int CONNECTS = Integer.getInteger("bench.connects", 200);
    private static final boolean HOST_PATH = !Boolean.getBoolean("bench.realOnly");
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int MIB = Integer.getInteger("bench.mib", 64);

    public static void main(String[] args) throws Exception {
        if (HOST_PATH) {
            try (FakeInternet internet = FakeInternet.start(); TestPool pool = TestPool.acquire()) {
                hostPath(internet, pool);
            }
        }
        realGuests();
    }

    private static void hostPath(FakeInternet internet, TestPool pool) throws Exception {
        try (Resolver resolver = Resolver.start(new ResolverConfig(InetAddress.getByName("0.0.0.0"), 0,
                List.of(new InetSocketAddress(internet.dns(), 53)), 10_000, 100_000, 100_000, Duration.ofSeconds(2)))) {
            Networks networks = Networks.start(NetworkSettings.on().withPool(pool.cidr).withDnsPort(resolver.port()),
                    DnsRegistry.of(resolver));
            List<Double> attach = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                networks.attach("bench-attach-" + i, EgressPolicy.INTERNET);
                attach.add(Figures.ms(t0));
                networks.detach("bench-attach-" + i);
            }
            System.out.printf(Locale.ROOT, "network attach (namespace, veth, sysctls, rules, resolver entry): median %.1f ms of %d%n",
                    Figures.median(attach), attach.size());
            EgressPolicy uncapped = new EgressPolicy(EgressPolicy.Action.ALLOW, List.of(), null, EgressPolicy.MAX_BANDWIDTH_MBPS, 0);
            try (FakeGuest capped = FakeGuest.on(networks.attach("bench-capped", EgressPolicy.INTERNET), "fg-bench-c");
                 FakeGuest guest = FakeGuest.on(networks.attach("bench-free", uncapped), "fg-bench-f")) {
                String web = internet.web();
                String connectLoop = "import socket,time,statistics\nts=[]\nfor i in range(" + CONNECTS + "):\n"
                        + " t=time.perf_counter();socket.create_connection(('" + web + "',80),2).close();ts.append((time.perf_counter()-t)*1000)\n"
                        + "print('%.3f'%statistics.median(ts))";
                // the same Python, from the host's namespace and from the guest's: side by side, alternating
                List<Double> host = new ArrayList<>(), vm = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    host.add(Double.parseDouble(FakeGuest.python(null, connectLoop)));
                    vm.add(Double.parseDouble(guest.python(connectLoop)));
                }
                System.out.printf(Locale.ROOT, "TCP connect to the test host: host %.3f ms, guest link %.3f ms (ratio %.2f), medians of %d x %d%n",
                        Figures.median(host), Figures.median(vm), Figures.median(vm) / Figures.median(host), ROUNDS, CONNECTS);

                Path root = internet.webRoot();
                Files.write(root.resolve("blob.bin"), new byte[MIB << 20]);
                String fetch = "import urllib.request,time\nt=time.perf_counter();n=len(urllib.request.urlopen('http://" + web
                        + "/blob.bin',timeout=60).read());print('%.1f'%(n/(time.perf_counter()-t)/1e6))";
                List<Double> hostT = new ArrayList<>(), freeT = new ArrayList<>(), cappedT = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    hostT.add(Double.parseDouble(FakeGuest.python(null, fetch)));
                    freeT.add(Double.parseDouble(guest.python(fetch)));
                    cappedT.add(Double.parseDouble(capped.python(fetch)));
                }
                System.out.printf(Locale.ROOT, "HTTP download of %d MiB: host %.1f MB/s, guest link %.1f MB/s (ratio %.2f), guest link under the "
                                + "default %d Mbit/s cap %.1f MB/s; medians of %d%n", MIB, Figures.median(hostT), Figures.median(freeT),
                        Figures.median(freeT) / Figures.median(hostT), NetworkSettings.DEFAULT_BANDWIDTH_MBPS, Figures.median(cappedT), ROUNDS);

                String lookups = "import socket,time,statistics,random\nu=[];c=[]\nfor i in range(" + CONNECTS + "):\n"
                        + " n='n%d-%d.web.test'%(i,random.randrange(1<<30));t=time.perf_counter();socket.gethostbyname(n);u.append((time.perf_counter()-t)*1000)\n"
                        + " t=time.perf_counter();socket.gethostbyname(n);c.append((time.perf_counter()-t)*1000)\n"
                        + "print('%.3f %.3f'%(statistics.median(u),statistics.median(c)))";
                String[] dns = guest.python(lookups).split(" ");
                System.out.printf(Locale.ROOT, "DNS lookup through Ember's resolver (guest's libc, a new name each time): uncached %s ms, cached %s ms; "
                        + "medians of %d%n", dns[0], dns[1], CONNECTS);
            } finally {
                Networks.purge(NetworkSettings.on().withPool(pool.cidr));
            }
        }
    }

    /** The same connect and download figures from a real (TCG) guest, against the host's namespace, alternating. */
    private static void realGuestPath(EmberTestServer on, FakeInternet internet) throws Exception {
        Files.write(internet.webRoot().resolve("blob16.bin"), new byte[16 << 20]);
        String web = internet.web();
        String connect = "import socket,time,statistics\nts=[]\nfor i in range(" + CONNECTS + "):\n"
                + " t=time.perf_counter();socket.create_connection(('" + web + "',80),2).close();ts.append((time.perf_counter()-t)*1000)\n"
                + "print('%.3f'%statistics.median(ts))";
        String fetch = "import urllib.request,time\nt=time.perf_counter();n=len(urllib.request.urlopen('http://" + web
                + "/blob16.bin',timeout=120).read());print('%.1f'%(n/(time.perf_counter()-t)/1e6))";
        try (TestVm vm = TestVm.run(on, "debian")) {
            List<Double> hostC = new ArrayList<>(), vmC = new ArrayList<>(), hostT = new ArrayList<>(), vmT = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                hostC.add(Double.parseDouble(FakeGuest.python(null, connect)));
                vmC.add(Double.parseDouble(vm.ok(NetProbes.shell(connect)).strip()));
                hostT.add(Double.parseDouble(FakeGuest.python(null, fetch)));
                vmT.add(Double.parseDouble(vm.ok(NetProbes.shell(fetch)).strip()));
            }
            System.out.printf(Locale.ROOT, "real guest (TCG, debian): TCP connect %.3f ms vs host %.3f ms (ratio %.1f); HTTP download of 16 MiB "
                            + "%.1f MB/s vs host %.1f MB/s (ratio %.2f; default %d Mbit/s cap); medians of %d%n",
                    Figures.median(vmC), Figures.median(hostC), Figures.median(vmC) / Figures.median(hostC), Figures.median(vmT),
                    Figures.median(hostT), Figures.median(vmT) / Figures.median(hostT), NetworkSettings.DEFAULT_BANDWIDTH_MBPS, ROUNDS);
        }
    }

    /** Launch from a snapshot and resume, with and without networks, alternating between two servers. */
    private static void realGuests() throws Exception {
        try (FakeInternet internet = FakeInternet.start();
             EmberTestServer on = EmberTestServer.withNetwork(internet); EmberTestServer off = EmberTestServer.start()) {
            Path tmp = Figures.workDir("ember-netbench-");
            for (EmberTestServer s : List.of(on, off)) {
                var upload = s.client().uploadCodeArtifact(CodeZip.dockerfile("FROM busybox\nCMD [\"sleep\", \"86400\"]\n").write(tmp));
                var created = s.client().createMicrovmImage(CreateMicrovmImageRequest.of("nb", "busybox", upload.codeArtifact()));
                var v = s.client().waitForImageVersion("nb", created.imageVersion(), Duration.ofMinutes(10));
                if (v.state() != MicrovmImageVersionState.SUCCESSFUL) throw new IllegalStateException("build: " + v.stateReason());
            }
            realGuestPath(on, internet);
            List<Double> launchOn = new ArrayList<>(), launchOff = new ArrayList<>(), resumeOn = new ArrayList<>(), resumeOff = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                for (EmberTestServer s : List.of(on, off)) {
                    long t0 = System.nanoTime();
                    String id = s.client().runMicrovm(RunMicrovmRequest.of("nb")).microvmId();
                    s.client().waitUntilRunning(id, Duration.ofMinutes(3));
                    (s == on ? launchOn : launchOff).add(Figures.ms(t0));
                    s.client().suspendMicrovm(id);
                    t0 = System.nanoTime();
                    s.client().resumeMicrovm(id);
                    while (s.client().getMicrovm(id).state() != MicrovmState.RUNNING) Thread.sleep(5);
                    (s == on ? resumeOn : resumeOff).add(Figures.ms(t0));
                    s.client().terminateMicrovm(id);
                }
            }
            System.out.printf(Locale.ROOT, "launch from snapshot to RUNNING: with network %.0f ms, without %.0f ms (+%.0f ms); medians of %d%n",
                    Figures.median(launchOn), Figures.median(launchOff), Figures.median(launchOn) - Figures.median(launchOff), ROUNDS);
            System.out.printf(Locale.ROOT, "resume to RUNNING: with network %.0f ms, without %.0f ms (+%.0f ms); medians of %d%n",
                    Figures.median(resumeOn), Figures.median(resumeOff), Figures.median(resumeOn) - Figures.median(resumeOff), ROUNDS);
            EmberTestServer.deleteTree(tmp);
        }
    }
}
