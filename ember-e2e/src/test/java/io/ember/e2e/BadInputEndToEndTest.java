package io.ember.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input over raw HTTP: every answer is the model's typed REST-JSON error, never a stack trace,
 * and nothing changes (no microVM is created, the live one is untouched).
 */
class BadInputEndToEndTest extends OneVmPerClass {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldRefuseBadRunRequestsWithTypedErrorsAndCreateNothing() throws Exception {
        long before = countVms();
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"no-such-image\"}", 404, "ResourceNotFoundException");
        expect("POST", "/2025-09-09/microvms", "{}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "[1,2]", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":42}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":0}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":28801}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":\"ten\"}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":{\"maxIdleDurationSeconds\":-1,\"suspendedDurationSeconds\":1,\"autoResumeEnabled\":true}}", 400, "ValidationException");
        assertThat(countVms()).isEqualTo(before);
    }

    @Test
    void shouldRefuseBadListAndLookupRequests() throws Exception {
        expect("GET", "/2025-09-09/microvms?maxResults=0", null, 400, "ValidationException");
        expect("GET", "/2025-09-09/microvms?maxResults=101", null, 400, "ValidationException");
        expect("GET", "/2025-09-09/microvms?maxResults=abc", null, 400, "ValidationException");
        expect("GET", "/2025-09-09/microvms?nextToken=not-a-token", null, 400, "ValidationException");
        expect("GET", "/2025-09-09/microvms/mvm-000000000000000000000000", null, 404, "ResourceNotFoundException");
        expect("DELETE", "/2025-09-09/microvms/mvm-000000000000000000000000", null, 404, "ResourceNotFoundException");
        expect("GET", "/2025-09-09/managed-microvm-images/nope/versions", null, 404, "ResourceNotFoundException");
    }

    @Test
    void shouldRefuseBadExecAndFileRequestsAndKeepTheVmRunning() throws Exception {
        String exec = "/ember/v1/microvms/" + vm.id + "/exec";
        expect("POST", exec, "{}", 400, "ValidationException");
        expect("POST", exec, "{\"command\":[]}", 400, "ValidationException");
        expect("POST", exec, "{\"command\":[\"true\"],\"shell\":\"true\"}", 400, "ValidationException");
        expect("POST", exec, "{\"shell\":\"true\",\"timeoutSeconds\":0}", 400, "ValidationException");
        expect("POST", exec, "{\"shell\":\"true\",\"stdin\":\"***not base64***\"}", 400, "ValidationException");
        expect("POST", exec, "not json", 400, "ValidationException");
        expect("POST", "/ember/v1/microvms/mvm-000000000000000000000000/exec", "{\"shell\":\"true\"}", 404, "ResourceNotFoundException");
        expect("GET", "/ember/v1/microvms/" + vm.id + "/files", null, 400, "ValidationException");
        expect("GET", "/ember/v1/microvms/" + vm.id + "/files?path=/workspace/a%00b", null, 400, "ValidationException");
        expect("GET", "/ember/v1/microvms/" + vm.id + "/files?path=/no/such/file", null, 404, "ResourceNotFoundException");
        assertThat(vm.ok("echo alive")).isEqualTo("alive\n");
    }

    @Test
    void shouldRefuseExecOnATerminatedVm() throws Exception {
        TestVm doomed = TestVm.run(server, "busybox");
        server.client().terminateMicrovm(doomed.id);
        expect("POST", "/ember/v1/microvms/" + doomed.id + "/exec", "{\"shell\":\"true\"}", 409, "ConflictException");
        expect("PUT", "/ember/v1/microvms/" + doomed.id + "/files?path=/workspace/x", "data", 409, "ConflictException");
    }

    private long countVms() {
        return server.client().listAllMicrovms(io.ember.sdk.ListMicrovmsRequest.all()).count();
    }

    private void expect(String method, String path, String body, int status, String type) throws Exception {
        byte[] bytes = body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(server.endpoint() + path))
                .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/json");
        HttpResponse<String> res = http.send(Rest.signed(server, req.build(), bytes), HttpResponse.BodyHandlers.ofString());
        String what = method + " " + path + " " + body + " -> " + res.statusCode() + " " + res.body();
        assertThat(res.statusCode()).as(what).isEqualTo(status);
        assertThat(res.body()).as(what).doesNotContain("Exception:").doesNotContain("\tat ");
        if (type != null) {
            JsonNode json = JSON.readTree(res.body());
            assertThat(json.path("__type").asText()).as(what).isEqualTo(type);
            assertThat(res.headers().firstValue("X-Amzn-ErrorType")).as(what).hasValue(type);
            assertThat(json.path("message").asText()).as(what).isNotBlank();
        }
    }
}
