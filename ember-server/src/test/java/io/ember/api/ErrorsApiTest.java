package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Typed errors in the REST-JSON format, and that a refused request changes nothing. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class ErrorsApiTest {
    @TempDir
    Path dir;
    ApiFixture api;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir, 2);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private JsonNode error(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("X-Amzn-ErrorType")).contains(type);
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = ApiFixture.json(r);
        assertThat(body.get("__type").asText()).isEqualTo(type);
        assertThat(body.get("message").asText()).isNotBlank().doesNotContain("\tat ").doesNotContain("Exception:");
        return body;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{}                                                                         | imageIdentifier is required",
        "{\"imageIdentifier\":7}                                                    | imageIdentifier must be a string",
        "{\"imageIdentifier\":\"\"}                                                 | imageIdentifier must not be empty",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":0}           | maximumDurationInSeconds must be between 1 and 28800",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":28801}       | maximumDurationInSeconds must be between 1 and 28800",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":1.5}         | maximumDurationInSeconds must be an integer",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":\"60\"}      | maximumDurationInSeconds must be an integer",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":1e30}        | maximumDurationInSeconds must be between 1 and 28800",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":1e400}       | maximumDurationInSeconds must be an integer",
        "{\"imageIdentifier\":\"busybox\",\"maximumDurationInSeconds\":99999999999999999999999} | maximumDurationInSeconds must be between 1 and 28800",
        "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":0,\"autoResumeEnabled\":\"yes\"}} | idlePolicy.autoResumeEnabled must be a boolean",
        "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":{\"maxIdleDurationSeconds\":60}} | idlePolicy.suspendedDurationSeconds is required",
        "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":[]}                        | idlePolicy must be an object",
        "{\"imageIdentifier\":\"busybox\",\"idlePolicy\":{\"maxIdleDurationSeconds\":59,\"suspendedDurationSeconds\":0,\"autoResumeEnabled\":true}} | idlePolicy.maxIdleDurationSeconds must be between 60 and",
        "{\"imageIdentifier\":\"busybox\",\"clientToken\":\"tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt\"} | clientToken must be at most 128 characters",
        "{\"imageIdentifier\":\"busybox\",\"logging\":{\"disabled\":{},\"cloudWatch\":{}}} | logging must have exactly one of disabled and cloudWatch",
        "{\"imageIdentifier\":\"busybox\",\"imageVersion\":\"1 0\"} | imageVersion must be non-empty and contain no whitespace",
        "{\"imageIdentifier\":\"busybox\",\"clientToken\":5}                        | clientToken must be a string",
        "{\"imageIdentifier\":\"busybox\",\"runHookPayload\":{}}                    | runHookPayload must be a string",
        "{\"imageIdentifier\":\"busybox\",\"ingressNetworkConnectors\":[\"c\"]}     | ingressNetworkConnectors[0]: Malformed network connector ARN",
        "{\"imageIdentifier\":\"busybox\",\"egressNetworkConnectors\":\"c\"}        | egressNetworkConnectors must be an array of strings",
        "{\"imageIdentifier\":\"busybox\"                                           | malformed JSON",
        "{\"imageIdentifier\":\"busybox\"} {}                                       | malformed JSON",
        "{\"imageIdentifier\":\"busybox\",\"imageIdentifier\":\"debian\"}           | malformed JSON",
        "[\"busybox\"]                                                              | must be a JSON object",
    })
    void shouldRefuseBadRunRequestsNamingTheFieldAndStoreNothing(String body, String message) {
        JsonNode e = error(api.send("POST", "/2025-09-09/microvms", body), 400, "ValidationException");
        assertThat(e.get("message").asText()).contains(message);
        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).isEmpty();
        assertThat(api.driver.launched).isEmpty();
    }

    @Test
    void shouldAnswerUnknownThingsWithTypedNotFound() {
        JsonNode vm = error(api.send("GET", "/2025-09-09/microvms/mvm-000000000000000000000000", null), 404,
                "ResourceNotFoundException");
        assertThat(vm.get("resourceType").asText()).isEqualTo("Microvm");
        assertThat(vm.get("resourceId").asText()).isEqualTo("mvm-000000000000000000000000");
        error(api.send("DELETE", "/2025-09-09/microvms/mvm-000000000000000000000000", null), 404, "ResourceNotFoundException");
        JsonNode image = error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"no-such-image\"}"), 404,
                "ResourceNotFoundException");
        assertThat(image.get("resourceType").asText()).isEqualTo("MicrovmImage");
        error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"imageVersion\":\"9\"}"), 404,
                "ResourceNotFoundException");
        error(api.send("GET", "/2025-09-09/managed-microvm-images/nope/versions", null), 404, "ResourceNotFoundException");
        error(api.send("GET", "/2025-09-09/microvms/not-an-id", null), 400, "ValidationException");
        error(api.send("GET", "/2025-09-09/nothing-here", null), 404, "UnknownOperationException");
        error(api.send("PATCH", "/2025-09-09/microvms", "{}"), 404, "UnknownOperationException");
        error(api.send("GET", "/", null), 404, "UnknownOperationException");
    }

    @Test
    void shouldAnswerUnparseableHttpInJsonToo() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.server.port())) {
            s.getOutputStream().write("GET /2025-09-09/microvms/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("X-Amzn-ErrorType: ValidationException")
                    .contains("Content-Type: application/json").contains("{\"__type\":\"ValidationException\"")
                    .doesNotContain("<h1>");
        }
    }

    @ParameterizedTest
    @CsvSource({"maxResults=0", "maxResults=101", "maxResults=abc", "nextToken=garbage", "nextToken=aW1hZ2VzOjE"})
    void shouldRefuseBadListParameters(String query) {
        JsonNode e = error(api.send("GET", "/2025-09-09/microvms?" + query, null), 400, "ValidationException");
        assertThat(e.get("message").asText()).contains(query.substring(0, query.indexOf('=')));
    }

    @Test
    void shouldRefuseUnsignedAndForeignSignaturesAndOversizedBodies() throws Exception {
        try (java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient()) {
            HttpResponse<String> unsigned = plain.send(HttpRequest.newBuilder(api.uri("/2025-09-09/managed-microvm-images")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(error(unsigned, 403, "MissingAuthenticationTokenException").get("message").asText()).contains("not signed");
            HttpRequest foreign = io.ember.testing.SigningHttpClient.sign(HttpRequest.newBuilder(
                    api.uri("/2025-09-09/managed-microvm-images")).GET().build(),
                    new io.ember.testing.SigningHttpClient.Key("AKIAEXAMPLEEXAMPLE00", "not-a-key-of-this-server"));
            error(plain.send(foreign, HttpResponse.BodyHandlers.ofString()), 403, "UnrecognizedClientException");
        }

        String big = "{\"imageIdentifier\":\"busybox\",\"runHookPayload\":\"" + "x".repeat(1 << 20) + "\"}";
        JsonNode e = error(api.send("POST", "/2025-09-09/microvms", big), 400, "ValidationException");
        assertThat(e.get("message").asText()).contains("larger than 1048576 bytes");

        // 16 KiB in UTF-8 bytes: 8192 two-byte characters are the limit, one more is refused.
        String payload = "é".repeat(8192);
        JsonNode tooBig = error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"runHookPayload\":\""
                + payload + "é\"}"), 400, "ValidationException");
        assertThat(tooBig.get("message").asText()).isEqualTo("runHookPayload must be at most 16384 bytes (UTF-8)");
        assertThat(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"runHookPayload\":\""
                + payload + "\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseRunsBeyondTheHostLimitWithTheQuotaError() {
        api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}");
        api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}");
        JsonNode e = error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}"), 402,
                "ServiceQuotaExceededException");
        assertThat(e.get("message").asText()).contains("maxRunningVms = 2");
        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).hasSize(2);
    }

    @Test
    void shouldRefuseAReusedClientTokenWithOtherParameters() {
        String id = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"clientToken\":\"t\"}")
                .get("microvmId").asText();
        assertThat(api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"clientToken\":\"t\"}")
                .get("microvmId").asText()).isEqualTo(id);
        error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"debian\",\"clientToken\":\"t\"}"), 409,
                "ConflictException");
    }
}
