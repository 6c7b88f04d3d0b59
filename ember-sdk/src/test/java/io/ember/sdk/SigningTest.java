package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every request the client sends is signed as the server checks it (the stub refuses what the server would). */
class SigningTest {
    static final String ID = "mvm-0123456789abcdef01234567";
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:microvm:" + ID;
    @TempDir Path tmp;
    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client(b -> b.region("eu-west-1"));

    @Test
    void jsonCallsQueriesArnsExecAndStreamedUploadsAreAllSigned() throws Exception {
        stub.json("GET", "/2025-09-09/microvms/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3A" + ID, 200, MicrovmOperationsTest.VM)
                .json("GET", "/2025-09-09/microvms", 200, "{\"items\":[]}")
                .json("POST", "/2025-09-09/microvms", 200, MicrovmOperationsTest.VM)
                .json("POST", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3A" + ID, 204, "")
                .json("PUT", "/ember/v1/secrets/db.password", 200, "{\"name\":\"db.password\"}")
                .json("GET", "/ember/v1/events", 200, "{\"events\":[]}")
                .on("POST", "/ember/v1/microvms/" + ID + "/exec", ex -> {
                    OutputStream out = Stub.startStream(ex);
                    Stub.line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
                })
                .on("PUT", "/ember/v1/microvms/" + ID + "/files", ex -> {
                    byte[] b = Stub.body(ex);
                    Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/a b\",\"size\":" + b.length + "}");
                })
                .json("POST", "/ember/v1/uploads", 201, "{\"uploadId\":\"upl-1\",\"uri\":\"ember-upload://upl-1\",\"sizeInBytes\":4}");

        client.getMicrovm(ARN);
        client.listMicrovms(new ListMicrovmsRequest(5, "a+b=c/d", "my image/ä*~", null));
        client.runMicrovm(RunMicrovmRequest.of("busybox"));
        client.tagResource(ARN, Map.of("cost/center", "a b"));
        client.putSecret("db.password", "s3cr3t", null);
        client.listEvents(ARN, 10, "eyJ0IjoxfQ==");
        assertThat(client.execAndWait(ID, ExecRequest.command("env").withSecretEnvironment("TOKEN", "api-token")).exitCode()).isZero();
        client.uploadFile(ID, "/workspace/a b+c*~.txt", new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), 0644);
        client.uploadCodeArtifact(Files.write(tmp.resolve("app.zip"), new byte[] {'P', 'K', 3, 4}));

        assertThat(stub.seen).hasSize(9);
        assertThat(stub.seen).allSatisfy(s -> {
            assertThat(s.signatureError()).as(s.method() + " " + s.rawPath()).isNull();
            assertThat(s.header("Authorization")).contains("/eu-west-1/lambda/aws4_request");
        });
        assertThat(stub.seen).filteredOn(s -> "UNSIGNED-PAYLOAD".equals(s.header("X-Amz-Content-Sha256")))
                .extracting(Stub.Seen::rawPath).containsExactly("/ember/v1/microvms/" + ID + "/files", "/ember/v1/uploads");
        assertThat(stub.seen.stream().map(s -> s.header("Amz-Sdk-Invocation-Id")).distinct()).hasSize(9);
    }

    @Test
    void theSameCallTwiceIsSignedAfreshSoTheReplayGuardLetsItThrough() {
        stub.json("GET", "/2025-09-09/microvms/" + ID, 200, MicrovmOperationsTest.VM);
        for (int i = 0; i < 3; i++) client.getMicrovm(ID);
        assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsOnlyNulls();
        assertThat(stub.seen.stream().map(s -> s.header("Authorization")).distinct()).hasSize(3);
    }

    @Test
    void aReconnectingBuildLogFollowSignsEachAttempt() {
        String log = "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log";
        int[] calls = {0};
        stub.on("GET", log, ex -> {
            if (calls[0]++ == 0) {
                // First attempt: half a line, then the connection is cut.
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, 100);
                ex.getResponseBody().write("Step 1".getBytes(StandardCharsets.UTF_8));
                ex.getResponseBody().flush();
                throw new java.io.IOException("cut");
            }
            OutputStream out = Stub.startText(ex);
            Stub.text(out, "done\n");
            out.close();
        }).json("GET", "/2025-09-09/microvm-images/demo/versions/1/builds/bld-1", 200,
                ImageFixtures.build("1", "bld-1", "SUCCESSFUL"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        client.followBuildLog("demo", "1", "bld-1", 0, out);
        assertThat(stub.seen.stream().filter(s -> s.rawPath().equals(log)).count()).isGreaterThanOrEqualTo(2);
        assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsOnlyNulls();
    }

    @Test
    void aWrongSecretIsAnAuthenticationException() {
        stub.json("GET", "/ember/v1/whoami", 200, "{}");
        try (EmberClient wrong = EmberClient.builder().endpoint(stub.url())
                .credentials(new Credentials(Stub.CREDENTIALS.accessKeyId(), "not-the-secret")).build()) {
            AuthenticationException e = catchThrowableOfType(AuthenticationException.class, wrong::whoami);
            assertThat(e.errorType()).isEqualTo("InvalidSignatureException");
            assertThat(e.httpStatus()).isEqualTo(403);
        }
        try (EmberClient unknown = EmberClient.builder().endpoint(stub.url()).credentials(new Credentials("AKIDNOBODY", "x")).build()) {
            assertThat(catchThrowableOfType(AuthenticationException.class, unknown::whoami).errorType())
                    .isEqualTo("UnrecognizedClientException");
        }
        assertThat(List.copyOf(stub.seen)).hasSize(2);
    }

    @Test
    void requestSignerSignsRawHttpCallsAndResignsOnEachUse() throws Exception {
        stub.capture("POST", "/ember/v1/tenants", 200, "{}");
        byte[] body = "{\"name\":\"t\"}".getBytes(StandardCharsets.UTF_8);
        java.net.http.HttpRequest raw = java.net.http.HttpRequest.newBuilder(java.net.URI.create(stub.url() + "/ember/v1/tenants"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpRequest once = RequestSigner.sign(raw, RequestSigner.payloadHash(body), Stub.CREDENTIALS, "local");
            // Signing a signed request again replaces its signature instead of adding a second one.
            java.net.http.HttpRequest twice = RequestSigner.sign(once, RequestSigner.payloadHash(body), Stub.CREDENTIALS, "local");
            assertThat(twice.headers().allValues("Authorization")).hasSize(1);
            assertThat(http.send(once, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(twice, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            // The same signed request sent again is a replay, refused as the server refuses it.
            assertThat(http.send(once, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        }
        assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsExactly(null, null, "InvalidSignatureException: replayed signature");
    }
}
