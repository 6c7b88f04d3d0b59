package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ErrorMappingTest {
    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();

    @ParameterizedTest
    @CsvSource({
            "ValidationException, 400, io.ember.sdk.ValidationException",
            "ResourceNotFoundException, 404, io.ember.sdk.ResourceNotFoundException",
            "ConflictException, 409, io.ember.sdk.ConflictException",
            "ServiceQuotaExceededException, 402, io.ember.sdk.ServiceQuotaExceededException",
            "InternalServerException, 500, io.ember.sdk.InternalServerException",
            "ThrottlingException, 429, io.ember.sdk.ThrottlingException",
            "InsufficientCapacityException, 500, io.ember.sdk.InsufficientCapacityException",
            "AccessDeniedException, 403, io.ember.sdk.AccessDeniedException",
            "UnrecognizedClientException, 403, io.ember.sdk.AuthenticationException",
            "InvalidSignatureException, 403, io.ember.sdk.AuthenticationException",
            "IncompleteSignatureException, 403, io.ember.sdk.AuthenticationException",
            "MissingAuthenticationTokenException, 403, io.ember.sdk.AuthenticationException",
            "SomethingNewException, 418, io.ember.sdk.EmberException",
    })
    void eachErrorType_isThrownAsItsClass(String type, int status, Class<?> expected) {
        stub.on("GET", "/2025-09-09/microvms/mvm-x", ex -> Stub.error(ex, status, type, "it went wrong"));

        EmberException e = catchThrowableOfType(EmberException.class, () -> client.getMicrovm("mvm-x"));

        assertThat(e).isExactlyInstanceOf(expected);
        assertThat(e.errorType()).isEqualTo(type);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.requestId()).isEqualTo("req-" + status);
        assertThat(e.getMessage()).isEqualTo("it went wrong");
    }

    @Test
    void headerWithSuffix_isStripped() {
        stub.on("GET", "/ember/v1/health", ex -> {
            ex.getResponseHeaders().set("X-Amzn-ErrorType", "ConflictException:http://internal.amazon.com/coral/x/");
            Stub.send(ex, 409, "application/json", "{\"message\":\"busy\"}");
        });
        EmberException e = catchThrowableOfType(EmberException.class, () -> client.health());
        assertThat(e).isInstanceOf(ConflictException.class).hasMessage("busy");
    }

    @Test
    void bodyTypeWithNamespace_isUsedWithoutHeader() {
        stub.json("GET", "/ember/v1/health", 404, "{\"__type\":\"com.amazonaws.lambda#ResourceNotFoundException\","
                + "\"Message\":\"no such microVM\",\"resourceType\":\"microvm\",\"resourceId\":\"mvm-1\"}");
        ResourceNotFoundException e = catchThrowableOfType(ResourceNotFoundException.class, () -> client.health());
        assertThat(e.getMessage()).isEqualTo("no such microVM");
        assertThat(e.resourceType()).isEqualTo("microvm");
        assertThat(e.resourceId()).isEqualTo("mvm-1");
        assertThat(e.requestId()).isNull();
    }

    @Test
    void nonJsonError_keepsStatusAndExcerpt() {
        stub.on("GET", "/ember/v1/health", ex -> Stub.send(ex, 502, "text/html", "<html>Bad Gateway</html>"));
        EmberException e = catchThrowableOfType(EmberException.class, () -> client.health());
        assertThat(e.getClass()).isEqualTo(EmberException.class);
        assertThat(e.errorType()).isEqualTo("502");
        assertThat(e.httpStatus()).isEqualTo(502);
        assertThat(e.getMessage()).contains("Bad Gateway");
    }

    @Test
    void refusedConnection_isUncheckedIo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EmberClient c = EmberClient.create("http://127.0.0.1:" + port)) {
            assertThat(catchThrowableOfType(UncheckedIOException.class, c::health)).isNotNull();
        }
    }

    @Test
    void normalize_stripsNamespaceAndSuffix() {
        assertThat(Errors.normalize("aws.lambda#ValidationException:http://x/y")).isEqualTo("ValidationException");
        assertThat(Errors.normalize(" ConflictException ")).isEqualTo("ConflictException");
        assertThat(Errors.normalize(null)).isNull();
    }
}
