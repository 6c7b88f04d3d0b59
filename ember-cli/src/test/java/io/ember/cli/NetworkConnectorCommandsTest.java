package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.Stub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class NetworkConnectorCommandsTest {
    static final String ID = "nc-0123456789abcdef01234567";
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:network-connector:" + ID;
    static final String CONNECTOR = "{\"networkConnectorArn\":\"" + ARN + "\",\"networkConnectorId\":\"" + ID + "\","
            + "\"name\":\"deny-all\",\"state\":\"PENDING\",\"configuration\":{\"egressPolicyConfiguration\":"
            + "{\"defaultAction\":\"DENY\",\"rules\":[]}},\"createdAt\":1767225600,\"lastModified\":1767225600}";
    static final String SHELL = "arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:SHELL_INGRESS";

    @RegisterExtension
    final Stub stub = Stub.started();
    @TempDir Path dir;

    @Test
    void createSendsTheConfigFromAFileAsGivenAndWaitsWhenAsked() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", "/ember/v1/network-connectors", ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 201, "application/json", CONNECTOR);
        });
        stub.json("GET", "/ember/v1/network-connectors/" + ID, 200, CONNECTOR.replace("PENDING", "ACTIVE"));
        Path file = dir.resolve("policy.json");
        // A misspelt field travels as written: the server names it, rather than the client dropping it.
        Files.writeString(file, "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rulez\":[]}}");

        Cli r = Cli.run("network-connector", "create", "--endpoint-url", stub.url(), "--name", "deny-all", "--config", file.toString(), "--wait");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(sent.get().get("name").asText()).isEqualTo("deny-all");
        assertThat(sent.get().get("configuration").toString()).isEqualTo("{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rulez\":[]}}");
        assertThat(Output.MAPPER.readTree(r.out).get("state").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void getListUpdateDeleteAndBadConfigs() throws Exception {
        stub.json("GET", "/ember/v1/network-connectors/deny-all", 200, CONNECTOR);
        stub.json("GET", "/ember/v1/network-connectors", 200, "{\"networkConnectors\":[" + CONNECTOR + "]}");
        stub.capture("PUT", "/ember/v1/network-connectors/deny-all", 200, CONNECTOR);
        stub.json("DELETE", "/ember/v1/network-connectors/deny-all", 200, CONNECTOR.replace("PENDING", "DELETING"));

        Cli get = Cli.run("network-connector", "get", "--endpoint-url", stub.url(), "--network-connector", "deny-all");
        assertThat(Output.MAPPER.readTree(get.out).get("networkConnectorArn").asText()).as(get.toString()).isEqualTo(ARN);
        Cli list = Cli.run("network-connector", "list", "--endpoint-url", stub.url());
        assertThat(Output.MAPPER.readTree(list.out).get("networkConnectors").get(0).get("name").asText()).isEqualTo("deny-all");
        Cli update = Cli.run("network-connector", "update", "--endpoint-url", stub.url(), "--network-connector", "deny-all",
                "--config", "{\"egressPolicyConfiguration\":{\"defaultAction\":\"ALLOW\"}}");
        assertThat(update.exit).as(update.toString()).isZero();
        assertThat(stub.bodyOf("PUT", "/ember/v1/network-connectors/deny-all"))
                .isEqualTo("{\"configuration\":{\"egressPolicyConfiguration\":{\"defaultAction\":\"ALLOW\"}}}");
        Cli delete = Cli.run("network-connector", "delete", "--endpoint-url", stub.url(), "--network-connector", "deny-all");
        assertThat(Output.MAPPER.readTree(delete.out).get("state").asText()).isEqualTo("DELETING");

        Cli bad = Cli.run("network-connector", "create", "--endpoint-url", stub.url(), "--name", "x", "--config", "{not json");
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("--config");
        Cli missing = Cli.run("network-connector", "create", "--endpoint-url", stub.url(), "--name", "x", "--config", dir.resolve("none.json").toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("neither a JSON object nor a readable file");
        assertThat(Cli.run("network-connector", "update", "--endpoint-url", stub.url(), "--network-connector", "x").exit).isEqualTo(2);
    }

    @Test
    void runMicrovmSendsConnectorArnsGivenRepeatedOrAsAJsonList() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", "/2025-09-09/microvms", ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", MicrovmCommandsTest.VM);
        });
        Cli r = Cli.run("run-microvm", "--endpoint-url", stub.url(), "--image-identifier", "busybox",
                "--ingress-connector", SHELL, "--ingress-network-connectors", "[\"" + SHELL.replace("SHELL", "HTTP") + "\"]",
                "--egress-connector", ARN);
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(sent.get().get("ingressNetworkConnectors").toString())
                .isEqualTo("[\"" + SHELL + "\",\"" + SHELL.replace("SHELL", "HTTP") + "\"]");
        assertThat(sent.get().get("egressNetworkConnectors").toString()).isEqualTo("[\"" + ARN + "\"]");
    }
}
