package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Given a certificate, the endpoint listener speaks HTTPS (and only that); the application inside stays plain HTTP. */
class EndpointTlsTest {
    @TempDir Path dir;

    @Test
    void aServerGivenAKeyStoreTerminatesTlsForEndpoints() throws Exception {
        Path store = dir.resolve("endpoint.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ember", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "secret-pw").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] b = ("plain inside, proto=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto")).getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        app.start();
        try (ApiFixture api = new ApiFixture(dir, 8, c -> c.withEndpoint(c.endpoint().withTls(store, "secret-pw")))) {
            String id = api.running();
            api.agents.tcpPorts.put(8080, app.getAddress().getPort());
            String token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                    "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
            String endpoint = api.ok("GET", "/2025-09-09/microvms/" + id, null).get("endpoint").asText();
            assertThat(endpoint).startsWith("https://127.0.0.1:");

            HttpClient https = HttpClient.newBuilder().sslContext(trusting(store)).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(endpoint + "/x"))
                    .header("X-aws-proxy-auth", token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("plain inside, proto=https");

            HttpResponse<String> plain;
            try {
                plain = api.http.send(HttpRequest.newBuilder(URI.create(endpoint.replace("https:", "http:") + "/x"))
                        .header("X-aws-proxy-auth", token).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                plain = null; // the TLS listener hangs up on plain HTTP: what we want
            }
            assertThat(plain).as("plain HTTP on the TLS listener must not be served").isNull();
        } finally {
            app.stop(0);
        }
    }

    private static SSLContext trusting(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "secret-pw".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
