package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NetworkConnectorOperationsTest {
    static final String ID = "nc-0123456789abcdef01234567";
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:network-connector:" + ID;
    static final String CONNECTOR = "{\"networkConnectorArn\":\"" + ARN + "\",\"networkConnectorId\":\"" + ID + "\","
            + "\"name\":\"deny-all\",\"state\":\"PENDING\",\"configuration\":{\"egressPolicyConfiguration\":"
            + "{\"defaultAction\":\"DENY\",\"rules\":[]}},\"createdAt\":1767225600.5,\"lastModified\":1767225601,\"future\":1}";
    static final Map<String, Object> DENY_ALL = Map.of("egressPolicyConfiguration", Map.of("defaultAction", "DENY"));

    @Test
    void createSendsNameConfigurationAndAClientTokenAndParsesTheAnswer() throws Exception {
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.capture("POST", "/ember/v1/network-connectors", 201, CONNECTOR);
            NetworkConnector c = ember.createNetworkConnector("deny-all", DENY_ALL, null, Map.of("team", "a"));
            JsonNode sent = Json.MAPPER.readTree(stub.bodyOf("POST", "/ember/v1/network-connectors"));
            assertThat(sent.get("name").asText()).isEqualTo("deny-all");
            assertThat(sent.get("configuration").get("egressPolicyConfiguration").get("defaultAction").asText()).isEqualTo("DENY");
            assertThat(sent.get("clientToken").asText()).hasSize(36);
            assertThat(sent.get("tags").get("team").asText()).isEqualTo("a");
            assertThat(sent.has("operatorRole")).as("nulls are left out").isFalse();
            assertThat(c.networkConnectorArn()).isEqualTo(ARN);
            assertThat(c.state()).isEqualTo("PENDING");
            assertThat(c.createdAt()).isEqualTo(Instant.ofEpochSecond(1767225600L, 500_000_000));
            assertThat(((Map<?, ?>) c.configuration().get("egressPolicyConfiguration")).get("defaultAction")).isEqualTo("DENY");
        }
    }

    @Test
    void getUpdateDeleteAndListUseTheIdentifierAsOneSegmentAndPage() throws Exception {
        String raw = "/ember/v1/network-connectors/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Anetwork-connector%3A" + ID;
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.json("GET", raw, 200, CONNECTOR.replace("PENDING", "ACTIVE"));
            stub.capture("PUT", "/ember/v1/network-connectors/deny-all", 200, CONNECTOR);
            stub.json("DELETE", "/ember/v1/network-connectors/" + ID, 200, CONNECTOR.replace("PENDING", "DELETING"));
            stub.on("GET", "/ember/v1/network-connectors", ex -> Stub.send(ex, 200, "application/json",
                    Stub.query(ex, "nextToken") == null ? "{\"networkConnectors\":[" + CONNECTOR + "],\"nextToken\":\"t1\"}"
                            : "{\"networkConnectors\":[" + CONNECTOR.replace("deny-all", "second") + "]}"));

            assertThat(ember.getNetworkConnector(ARN).state()).isEqualTo("ACTIVE");
            ember.updateNetworkConnector("deny-all", null, "arn:aws:iam::000000000000:role/ops");
            JsonNode sent = Json.MAPPER.readTree(stub.bodyOf("PUT", "/ember/v1/network-connectors/deny-all"));
            assertThat(sent.has("configuration")).isFalse();
            assertThat(sent.get("operatorRole").asText()).isEqualTo("arn:aws:iam::000000000000:role/ops");
            assertThat(ember.deleteNetworkConnector(ID).state()).isEqualTo("DELETING");
            assertThat(ember.listAllNetworkConnectors().map(NetworkConnector::name).toList()).containsExactly("deny-all", "second");
        }
    }

    @Test
    void theWaiterPollsUntilTheConnectorIsNoLongerPending() throws Exception {
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            AtomicInteger calls = new AtomicInteger();
            stub.on("GET", "/ember/v1/network-connectors/deny-all", ex -> Stub.send(ex, 200, "application/json",
                    calls.incrementAndGet() < 3 ? CONNECTOR : CONNECTOR.replace("\"PENDING\"", "\"FAILED\",\"stateReason\":\"no\"")));
            NetworkConnector c = ember.waitUntilNetworkConnectorSettled("deny-all", Duration.ofSeconds(10));
            assertThat(c.state()).isEqualTo("FAILED");
            assertThat(c.stateReason()).isEqualTo("no");
            assertThat(calls.get()).isEqualTo(3);

            stub.json("GET", "/ember/v1/network-connectors/slow", 200, CONNECTOR);
            assertThatThrownBy(() -> ember.waitUntilNetworkConnectorSettled("slow", Duration.ZERO))
                    .isInstanceOf(WaiterTimeoutException.class).hasMessageContaining("still PENDING");
        }
    }

    @Test
    void runMicrovmSendsTheConnectorArnsAndGetMicrovmReturnsThem() throws Exception {
        String vm = "{\"microvmId\":\"mvm-0123456789abcdef01234567\",\"state\":\"PENDING\",\"ingressNetworkConnectors\":[\""
                + NetworkConnector.SHELL_INGRESS + "\"],\"egressNetworkConnectors\":[\"" + ARN + "\"]}";
        try (Stub stub = new Stub(); EmberClient ember = stub.client()) {
            stub.capture("POST", "/2025-09-09/microvms", 200, vm);
            Microvm m = ember.runMicrovm(RunMicrovmRequest.of("busybox")
                    .withIngressNetworkConnectors(List.of(NetworkConnector.SHELL_INGRESS)).withEgressNetworkConnectors(List.of(ARN)));
            JsonNode sent = Json.MAPPER.readTree(stub.bodyOf("POST", "/2025-09-09/microvms"));
            assertThat(sent.get("ingressNetworkConnectors").get(0).asText())
                    .isEqualTo("arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:SHELL_INGRESS");
            assertThat(sent.get("egressNetworkConnectors").get(0).asText()).isEqualTo(ARN);
            assertThat(m.ingressNetworkConnectors()).containsExactly(NetworkConnector.SHELL_INGRESS);
            assertThat(m.egressNetworkConnectors()).containsExactly(ARN);
        }
    }
}
