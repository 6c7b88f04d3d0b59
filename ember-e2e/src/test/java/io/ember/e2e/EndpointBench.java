package io.ember.e2e;

import io.ember.agent.GuestSocket;
import io.ember.endpoint.AuthTokens;
import io.ember.microvm.GuestLease;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.IdlePolicy;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.PortSpecification;
import io.ember.sdk.RunMicrovmRequest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Endpoint benchmark (bench/endpoint), medians measured side by side in one run. Not a test.
 * 1. A small GET through the endpoint against the same request sent straight into the agent's TCP
 *    tunnel to the application's port (what "direct" means when the guest has no network device),
 *    on a kept-alive connection and on a new connection per request.
 * 2. The wait of a request that reaches a SUSPENDED microVM: until its answer, through the endpoint.
 */
public final class EndpointBench {
    private static final int REQUESTS = Integer.getInteger("bench.requests", 200);
    private static final int WAKES = Integer.getInteger("bench.wakes", 5);
    private static final int SETTLE_MS = Integer.getInteger("bench.settleMs", 30);
    private static final Pattern LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    public static void main(String[] args) throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            EmberClient client = server.client();
            Path tmp = Files.createTempDirectory(server.dataDir(), "bench");
            Path app = Path.of("examples", "session-app");
            Path zip = CodeZip.dockerfile(Files.readString(app.resolve("Dockerfile")))
                    .file("app.py", Files.readString(app.resolve("app.py"))).write(tmp);
            var created = client.createMicrovmImage(CreateMicrovmImageRequest.of("session-app", "debian",
                    client.uploadCodeArtifact(zip).codeArtifact()));
            var v = client.waitForImageVersion("session-app", created.imageVersion(), Duration.ofMinutes(20));
            if (v.state() != MicrovmImageVersionState.SUCCESSFUL) throw new IllegalStateException(v.stateReason());
            System.out.printf("Ember endpoint benchmark (accelerator setting %s, medians of %d requests)%n",
                    EmberTestServer.accelerator(), REQUESTS);
            String id = client.runMicrovm(RunMicrovmRequest.of("session-app")
                    .withIdlePolicy(new IdlePolicy(3600, 28800, true))).microvmId();
            client.waitUntilRunning(id, Duration.ofMinutes(3));
            String token = client.createMicrovmAuthToken(id, 60, List.of(PortSpecification.port(8080))).value();
            URI endpoint = URI.create(client.getMicrovm(id).endpoint());
            latency(server, id, endpoint, token);
            protocols(endpoint, token);
            wakes(client, id, endpoint, token);
            client.terminateMicrovm(id);
        }
    }

    private static void latency(EmberTestServer server, String id, URI endpoint, String token) throws Exception {
        String direct = "GET /state HTTP/1.1\r\nHost: guest\r\n\r\n";
        String proxied = "GET " + endpoint.getPath() + "/state HTTP/1.1\r\nHost: " + endpoint.getAuthority()
                + "\r\n" + AuthTokens.HEADER + ": " + token + "\r\n\r\n";
        List<Double> tunnelKept = new ArrayList<>(), endpointKept = new ArrayList<>();
        List<Double> tunnelNew = new ArrayList<>(), endpointNew = new ArrayList<>();
        try (GuestLease lease = server.embedded().microvms().use(id);
             GuestSocket tunnel = lease.agent().connectTcp(8080, Duration.ofSeconds(10));
             Socket proxy = new Socket(endpoint.getHost(), endpoint.getPort())) {
            proxy.setTcpNoDelay(true);
            InputStream tunnelIn = new BufferedInputStream(tunnel.input());
            InputStream proxyIn = new BufferedInputStream(proxy.getInputStream());
            for (int i = 0; i < REQUESTS + 20; i++) { // the first 20 are warm-up
                // A pause before each: the guest finishes tearing down the last connection (its application
                // thread, the agent's socket) before the next is timed, whichever kind came before.
                Thread.sleep(SETTLE_MS);
                double a = timed(direct, tunnel.output(), tunnelIn);
                Thread.sleep(SETTLE_MS);
                double b = timed(proxied, proxy.getOutputStream(), proxyIn);
                Thread.sleep(SETTLE_MS);
                double c;
                long t1 = System.nanoTime();
                try (GuestSocket fresh = lease.agent().connectTcp(8080, Duration.ofSeconds(10))) {
                    timed(direct, fresh.output(), new BufferedInputStream(fresh.input()));
                    c = (System.nanoTime() - t1) / 1e6;
                }
                Thread.sleep(SETTLE_MS);
                double d;
                long t0 = System.nanoTime();
                try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
                    s.setTcpNoDelay(true);
                    timed(proxied, s.getOutputStream(), new BufferedInputStream(s.getInputStream()));
                    d = (System.nanoTime() - t0) / 1e6;
                }
                if (i < 20) continue;
                tunnelKept.add(a);
                endpointKept.add(b);
                tunnelNew.add(c);
                endpointNew.add(d);
            }
        }
        report("kept-alive connection", tunnelKept, endpointKept);
        report("new connection each", tunnelNew, endpointNew);
    }

    /**
     * HTTP/2 against HTTP/1.1 through the endpoint, one kept-alive connection each, the same JDK client: HTTP/2 here is
     * h2c (Upgrade on the first request, this plain listener) relayed to the application as HTTP/1.1.
     */
    private static void protocols(URI endpoint, String token) throws Exception {
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(URI.create(endpoint + "/state"))
                .header("X-aws-proxy-auth", token).build();
        java.util.Map<java.net.http.HttpClient.Version, List<Double>> times = new java.util.LinkedHashMap<>();
        try (var h1 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
             var h2 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build()) {
            for (var c : List.of(h1, h2)) {
                c.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()); // opens (and for h2c upgrades) the connection
                times.put(c.version(), new ArrayList<>());
            }
            for (int i = 0; i < REQUESTS; i++) {
                for (var c : List.of(h1, h2)) { // side by side, so that load on the machine hits both alike
                    Thread.sleep(SETTLE_MS);
                    long t0 = System.nanoTime();
                    var r = c.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || r.version() != c.version()) {
                        throw new IllegalStateException(c.version() + " answered " + r.statusCode() + " over " + r.version());
                    }
                    times.get(c.version()).add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        double one = CoreBench.median(times.get(java.net.http.HttpClient.Version.HTTP_1_1));
        double two = CoreBench.median(times.get(java.net.http.HttpClient.Version.HTTP_2));
        System.out.printf("GET /state through the endpoint, JDK client, kept-alive: HTTP/1.1 %6.2f ms, HTTP/2 %6.2f ms (x%.2f)%n",
                one, two, two / one);
    }

    private static void report(String what, List<Double> tunnel, List<Double> endpoint) {
        double t = CoreBench.median(tunnel), e = CoreBench.median(endpoint);
        System.out.printf("GET /state, %-22s: straight into the agent tunnel %6.2f ms, through the endpoint %6.2f ms"
                + " (adds %.2f ms, x%.2f)%n", what, t, e, e - t, e / t);
    }

    /** Sends one request and reads its answer (a Content-Length body); milliseconds. */
    private static double timed(String request, OutputStream out, InputStream in) throws IOException {
        long t0 = System.nanoTime();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head);
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.")) throw new IOException("unexpected answer " + head);
        Matcher m = LENGTH.matcher(head);
        if (!m.find()) throw new IOException("no length in " + head);
        in.readNBytes(Integer.parseInt(m.group(1)));
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void wakes(EmberClient client, String id, URI endpoint, String token) throws Exception {
        List<Double> waits = new ArrayList<>();
        String proxied = "GET " + endpoint.getPath() + "/state HTTP/1.1\r\nHost: " + endpoint.getAuthority()
                + "\r\n" + AuthTokens.HEADER + ": " + token + "\r\nConnection: close\r\n\r\n";
        for (int i = 0; i < WAKES; i++) {
            client.suspendMicrovm(id);
            if (client.getMicrovm(id).state() != MicrovmState.SUSPENDED) throw new IllegalStateException("not suspended");
            try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
                waits.add(timed(proxied, s.getOutputStream(), new BufferedInputStream(s.getInputStream())));
            }
        }
        System.out.printf("request to a SUSPENDED microVM, until its answer (wakes it): %6.0f ms  (n=%d, min %.0f, max %.0f)%n",
                CoreBench.median(waits), waits.size(), waits.stream().mapToDouble(d -> d).min().orElse(0),
                waits.stream().mapToDouble(d -> d).max().orElse(0));
    }
}
