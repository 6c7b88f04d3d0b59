package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.Stub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthTokenCommandTest {
    static final String PATH = "/2025-09-09/microvms/mvm-0123456789abcdef01234567/auth-token";
    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void shorthandPortsBecomeTheModelsPortSpecifications_andTextOutputIsTheTokenAfterATab() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", PATH, ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", "{\"authToken\":{\"X-aws-proxy-auth\":\"abc.def\"}}");
        });

        Cli r = Cli.run("create-microvm-auth-token", "--endpoint-url", stub.url(), "--microvm-identifier",
                "mvm-0123456789abcdef01234567", "--expiration-in-minutes", "30", "--allowed-ports", "8080,9000-9010,all",
                "--output", "text");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out.strip().split("\t")[1]).isEqualTo("abc.def");
        assertThat(sent.get().toString()).isEqualTo("{\"expirationInMinutes\":30,\"allowedPorts\":[{\"port\":8080},"
                + "{\"range\":{\"startPort\":9000,\"endPort\":9010}},{\"allPorts\":{}}]}");
    }

    @Test
    void badPortsOrLifetimesAreUsageErrors() {
        for (String[] args : new String[][] {{"--allowed-ports", "http"}, {"--allowed-ports", "[{\"port\":"},
                {"--expiration-in-minutes", "61"}}) {
            Cli r = Cli.run("create-microvm-auth-token", "--endpoint-url", stub.url(), "--microvm-identifier",
                    "mvm-0123456789abcdef01234567", args[0], args[1]);
            assertThat(r.exit).as(r.toString()).isEqualTo(2);
        }
    }
}
