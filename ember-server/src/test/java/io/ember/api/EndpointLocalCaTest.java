package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.ember.endpoint.LocalCa;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint's TLS with Ember's own CA: made at the first start in the data directory, kept across restarts, and a
 * client that trusts only that CA reaches the application by every name the certificate is for (hostname checks on).
 */
class EndpointLocalCaTest {
    @TempDir Path dir;
    ApiFixture api;
    HttpServer app;

    @AfterEach
    void stop() {
        if (app != null) app.stop(0);
        if (api != null) api.close();
    }

    ApiFixture start() throws IOException {
        return new ApiFixture(dir, 64, c -> c.withEndpoint(c.endpoint().withLocalCa(c.dataDir())));
    }

    @Test
    void theCaIsMadeOnceAndAClientTrustingOnlyItReachesTheApplicationOverHttps() throws Exception {
        api = start();
        Path cert = api.dataDir.resolve(LocalCa.CERT_FILE);
        Path key = api.dataDir.resolve("endpoint-ca.key");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String fingerprint = api.server.endpointCa().fingerprint();
        assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");

        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] out = ("proto=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        app.start();
        String id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, app.getAddress().getPort());
        String endpoint = api.ok("GET", "/2025-09-09/microvms/" + id, null).get("endpoint").asText();
        assertThat(endpoint).isEqualTo("https://127.0.0.1:" + api.server.endpointPort() + "/" + id);
        String token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();

        HttpClient trusting = client(trusting(cert));
        for (String url : new String[] {endpoint + "/x", "https://localhost:" + api.server.endpointPort() + "/" + id + "/x"}) {
            HttpResponse<String> r = trusting.send(HttpRequest.newBuilder(URI.create(url)).header("X-aws-proxy-auth", token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("proto=https");
        }
        HttpClient trustingNothing = client(SSLContext.getDefault());
        assertThatThrownBy(() -> trustingNothing.send(HttpRequest.newBuilder(URI.create(endpoint + "/x")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

        // A restart keeps the CA (clients keep trusting it) and signs a new server certificate.
        api.close();
        app.stop(0);
        app = null;
        api = start();
        assertThat(api.server.endpointCa().fingerprint()).isEqualTo(fingerprint);
    }

    @Test
    void aDamagedCaIsAClearErrorNotANewSilentOne() throws Exception {
        api = start();
        api.close();
        Files.writeString(api.dataDir.resolve("endpoint-ca.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(this::start).hasMessageContaining("endpoint CA").hasMessageContaining("damaged");
        api = null;
    }

    @Test
    void aHandshakeDrippedAByteAtATimeIsCutOffAtTheFirstByteDeadline() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withEndpoint(c.endpoint().withLocalCa(c.dataDir()).withClientLimits(16, 1000, 2000)));
        byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.server.endpointPort())) {
            long t0 = System.nanoTime();
            boolean cut = false;
            for (byte b : hello) { // one byte every 400 ms: each read alone would be within a 1 s timeout
                try {
                    s.getOutputStream().write(b);
                    s.getOutputStream().flush();
                } catch (java.io.IOException e) {
                    cut = true;
                    break;
                }
                Thread.sleep(400);
            }
            s.setSoTimeout(5000);
            if (!cut) {
                try {
                    cut = s.getInputStream().read() < 0;
                } catch (java.io.IOException e) {
                    cut = true;
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(cut).isTrue();
            assertThat(ms).as("closed at the 1 s deadline, not after the 4.4 s the drip takes").isLessThan(4400);
        }
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ember-ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpClient client(SSLContext ctx) {
        SSLParameters p = new SSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the JDK client checks names anyway; said for the reader
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx).sslParameters(p).build();
    }
}
