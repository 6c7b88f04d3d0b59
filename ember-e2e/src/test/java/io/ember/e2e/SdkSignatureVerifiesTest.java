package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ember.auth.SigV4;
import io.ember.auth.SignatureRejected;
import io.ember.auth.SignedRequest;
import io.ember.sdk.Credentials;
import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecRequest;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.Quotas;
import io.ember.sdk.RunMicrovmRequest;
import io.ember.sdk.UsageRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's and the CLI's signatures, checked by the server's own verifier (io.ember.auth.SigV4) on the requests
 * as they arrive on the wire: ARNs in paths, odd queries, JSON bodies, exec, and the two streamed uploads
 * (UNSIGNED-PAYLOAD). No guest needed: a loopback HTTP server records each request and its verdict.
 */
class SdkSignatureVerifiesTest {
    static final Credentials KEYS = new Credentials("AKIAEMBERSDKTEST0001", "sdk/secret+key=with/odd+chars");
    static final String ID = "mvm-0123456789abcdef01234567";
    // Ember's older ARN form, still read: its slash (%2F once encoded) is the harder path to sign
    static final String ARN = "arn:aws:lambda:local:000000000000:microvm/" + ID;
    @TempDir Path tmp;
    final List<String> verdicts = new CopyOnWriteArrayList<>();
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod(), path = ex.getRequestURI().getRawPath();
        String claimed = ex.getRequestHeaders().getFirst("X-Amz-Content-Sha256");
        String payload;
        if ("UNSIGNED-PAYLOAD".equals(claimed)) {
            boolean streaming = method.equals("PUT") && path.endsWith("/files") || method.equals("POST") && path.equals("/ember/v1/uploads");
            payload = streaming ? claimed : "not-a-streaming-route";
            try (InputStream in = ex.getRequestBody()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        } else {
            try (InputStream in = ex.getRequestBody()) {
                payload = SigV4.sha256Hex(in.readAllBytes());
            }
        }
        Map<String, List<String>> headers = new LinkedHashMap<>(ex.getRequestHeaders());
        String verdict;
        try {
            SigV4.Signer s = SigV4.verify(new SignedRequest(method, path, ex.getRequestURI().getRawQuery(), headers, payload),
                    id -> id.equals(KEYS.accessKeyId()) ? Optional.of(KEYS.secretAccessKey()) : Optional.empty(), Instant.now());
            verdict = "OK " + s.region() + " " + method + " " + path;
        } catch (SignatureRejected e) {
            verdict = e.code() + " " + method + " " + path + ": " + e.getMessage();
        }
        verdicts.add(verdict);
        String body = path.endsWith("/exec") ? "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}\n"
                : path.endsWith("/files") ? "{\"path\":\"/workspace/x\",\"size\":5}"
                : path.equals("/ember/v1/uploads") ? "{\"uploadId\":\"upl-1\",\"uri\":\"ember-upload://upl-1\",\"sizeInBytes\":4}"
                : "{}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", path.endsWith("/exec") ? "application/x-ndjson" : "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void everySdkRequestVerifiesWithTheServersVerifier() throws Exception {
        try (EmberClient c = EmberClient.builder().endpoint(url()).credentials(KEYS).build()) {
            c.getMicrovm(ARN);
            c.listMicrovms(new ListMicrovmsRequest(5, "a+b=c/d", "my image/ä*~", null));
            c.runMicrovm(RunMicrovmRequest.of("busybox").withExecutionRoleArn("arn:aws:iam::000000000000:role/ci"));
            c.tagResource(ARN, Map.of("cost/center", "a b"));
            c.untagResource(ARN, List.of("team", "cost/center"));
            c.createTenant("team ä", new Quotas(1, 2, 512, null, 1L << 40));
            c.deleteAccessKey("123456789012", "AKIAEMBER0000000002");
            c.putSecret("db.password", "s3cr3t \"quoted\"", "ä");
            c.listEvents(ARN, 10, "eyJ0IjoxfQ==");
            c.getUsage(UsageRequest.total().withPeriod(Instant.parse("2026-11-29T12:00:00Z"), null).withGranularity("hour"));
            c.execAndWait(ID, ExecRequest.command("env").withSecretEnvironment("TOKEN", "api-token"));
            c.uploadFile(ID, "/workspace/a b+c*~.txt", new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), 0644);
            c.uploadCodeArtifact(Files.write(tmp.resolve("app.zip"), new byte[] {'P', 'K', 3, 4}));
        }
        assertThat(verdicts).hasSize(13).allSatisfy(v -> assertThat(v).startsWith("OK local "));
    }

    @Test
    void theCliSignsWithTheServersCredentialsFile() throws Exception {
        // As the server writes it at first start: <dataDir>/credentials, profile ember-admin.
        Files.writeString(tmp.resolve("credentials"), "[ember-admin]\naws_access_key_id = " + KEYS.accessKeyId()
                + "\naws_secret_access_key = " + KEYS.secretAccessKey() + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = io.ember.cli.Main.run(new String[] {"list-events", "--endpoint-url", url(), "--microvm-id", ARN},
                new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                Map.of("HOME", tmp.toString(), "EMBER_DATA_DIR", tmp.toString()));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(verdicts).containsExactly("OK local GET /ember/v1/events");
    }
}
