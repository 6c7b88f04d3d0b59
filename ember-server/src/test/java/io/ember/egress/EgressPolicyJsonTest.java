package io.ember.egress;

import io.ember.connector.ConnectorArn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void shouldParseEveryFieldAndWriteItBackTheSame() throws Exception {
        JsonNode config = tree("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': ["
                + "{'action': 'ALLOW', 'cidr': '203.0.113.0/24', 'protocol': 'UDP', 'ports': '8000-8100'},"
                + "{'action': 'ALLOW', 'domain': '*.example.com', 'protocol': 'TCP', 'ports': '443'},"
                + "{'action': 'DENY', 'domain': 'x.example.com'},"
                + "{'action': 'allow', 'cidr': '198.51.100.7', 'protocol': 'any', 'ports': 53}],"
                + "'hostNetwork': 'br-lan', 'bandwidthMbps': 100, 'maxConnections': 512}}");
        EgressPolicy p = EgressPolicyJson.parseConfiguration(config);

        assertThat(p.defaultAction()).isEqualTo(EgressPolicy.Action.DENY);
        assertThat(p.rules()).containsExactly(
                EgressRule.cidr(EgressPolicy.Action.ALLOW, "203.0.113.0/24", EgressRule.Protocol.UDP, new EgressRule.PortRange(8000, 8100)),
                EgressRule.domain(EgressPolicy.Action.ALLOW, "*.example.com", EgressRule.Protocol.TCP, new EgressRule.PortRange(443, 443)),
                EgressRule.domain(EgressPolicy.Action.DENY, "x.example.com", EgressRule.Protocol.TCP, EgressRule.PortRange.ALL),
                EgressRule.cidr(EgressPolicy.Action.ALLOW, "198.51.100.7/32", EgressRule.Protocol.ANY, new EgressRule.PortRange(53, 53)));
        assertThat(p.hostNetwork()).isEqualTo("br-lan");
        assertThat(p.bandwidthMbps()).isEqualTo(100);
        assertThat(p.maxConnections()).isEqualTo(512);

        assertThat(EgressPolicyJson.parse(EgressPolicyJson.toText(p))).isEqualTo(p);
        assertThat(EgressPolicyJson.parseConfiguration(EgressPolicyJson.configuration(p))).isEqualTo(p);
        assertThat(EgressPolicyJson.toJson(p).get("rules").get(2).has("ports")).isFalse();
    }

    @Test
    void shouldWriteTheManagedPoliciesMinimally() {
        assertThat(EgressPolicyJson.toText(EgressPolicy.INTERNET)).isEqualTo("{\"defaultAction\":\"ALLOW\",\"rules\":[]}");
        assertThat(EgressPolicyJson.parse(EgressPolicyJson.toText(EgressPolicy.NONE))).isEqualTo(EgressPolicy.NONE);
    }

    @Test
    void shouldNameTheFieldOfEveryMistake() {
        record Case(String json, String message) {}
        for (Case c : List.of(
                new Case("{}", "configuration.egressPolicyConfiguration: is required"),
                new Case("{'egress': {}}", "configuration.egress: unknown field"),
                new Case("{'egressPolicyConfiguration': {}}", "egressPolicyConfiguration.defaultAction: is required"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'MAYBE'}}", "egressPolicyConfiguration.defaultAction: must be ALLOW or DENY"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rule': []}}", "egressPolicyConfiguration.rule: unknown field"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': {}}}", "egressPolicyConfiguration.rules: must be an array"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW'}]}}",
                        "egressPolicyConfiguration.rules[0]: a rule names exactly one of cidr and domain"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '1.2.3.4/8', 'domain': 'a.b'}]}}",
                        "egressPolicyConfiguration.rules[0]: a rule names exactly one"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '300.1.1.1'}]}}",
                        "egressPolicyConfiguration.rules[0].cidr: '300.1.1.1' is not an IPv4 address"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'domain': 'bad domain'}]}}",
                        "egressPolicyConfiguration.rules[0].domain:"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{}, {'action': 'ALLOW', 'cidr': '1.2.3.4', 'ports': '0-9'}]}}",
                        "egressPolicyConfiguration.rules[0].action: is required"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '1.2.3.4', 'ports': '9-1'}]}}",
                        "egressPolicyConfiguration.rules[0].ports: ports must be N or N-M"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '1.2.3.4', 'ports': 'http'}]}}",
                        "egressPolicyConfiguration.rules[0].ports: ports must be N or N-M within 1-65535, not 'http'"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '1.2.3.4', 'protocol': 'ICMP'}]}}",
                        "egressPolicyConfiguration.rules[0].protocol: must be TCP, UDP or ANY"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '1.2.3.4', 'port': '1'}]}}",
                        "egressPolicyConfiguration.rules[0].port: unknown field"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'hostNetwork': 'no such/if'}}",
                        "egressPolicyConfiguration: hostNetwork must be an interface name"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'bandwidthMbps': 'fast'}}",
                        "egressPolicyConfiguration.bandwidthMbps: must be an integer"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'maxConnections': -1}}",
                        "egressPolicyConfiguration: maxConnections must be between 0 and 65536"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '10.1.2.0/24'}]}}",
                        "egressPolicyConfiguration: an ALLOW rule cannot open 10.1.2.0/24: it is inside 10.0.0.0/8"),
                new Case("{'egressPolicyConfiguration': {'defaultAction': 'DENY', 'rules': [{'action': 'ALLOW', 'cidr': '169.254.169.254'}]}}",
                        "egressPolicyConfiguration: an ALLOW rule cannot open 169.254.169.254/32: it is inside 169.254.0.0/16"))) {
            assertThatThrownBy(() -> EgressPolicyJson.parseConfiguration(tree(c.json())), c.json())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(c.message());
        }
    }

    @Test
    void shouldRefuseMoreRulesThanTheLimit() throws Exception {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i <= EgressPolicy.MAX_RULES; i++) rules.append(i == 0 ? "" : ",").append("{'action':'DENY','cidr':'203.0.113.1'}");
        assertThatThrownBy(() -> EgressPolicyJson.parse(tree("{'defaultAction': 'ALLOW', 'rules': [" + rules + "]}")))
                .hasMessage("egressPolicyConfiguration.rules: at most 64 rules");
    }

    @Test
    void shouldTellManagedConnectorsFromTenantOnesAndRefuseBareNames() {
        ConnectorArn shell = ConnectorArn.parse("arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:SHELL_INGRESS");
        assertThat(shell.managed()).isEqualTo(ConnectorArn.Managed.SHELL_INGRESS);
        ConnectorArn own = ConnectorArn.parse(ConnectorArn.of("123456789012", "nc-0123456789abcdef01234567"));
        assertThat(own.isManaged()).isFalse();
        assertThat(own.account()).isEqualTo("123456789012");
        assertThat(own.connectorId()).isEqualTo("nc-0123456789abcdef01234567");
        assertThatThrownBy(() -> ConnectorArn.parse("SHELL_INGRESS")).hasMessageStartingWith("Malformed network connector ARN 'SHELL_INGRESS'");
        assertThatThrownBy(() -> ConnectorArn.parse("arn:aws:lambda:local:aws:network-connector:aws-network-connector:VPC_INGRESS"))
                .hasMessageContaining("names no managed network connector");
        assertThat(ConnectorArn.Ingress.of(List.of(ConnectorArn.Managed.HTTP_INGRESS.arn()))).isEqualTo(new ConnectorArn.Ingress(true, false));
        assertThat(ConnectorArn.Ingress.of(List.of(ConnectorArn.Managed.SHELL_INGRESS.arn()))).isEqualTo(new ConnectorArn.Ingress(false, true));
        assertThat(ConnectorArn.Ingress.of(List.of(ConnectorArn.Managed.ALL_INGRESS.arn()))).isEqualTo(new ConnectorArn.Ingress(true, true));
        assertThat(ConnectorArn.Ingress.of(List.of())).isEqualTo(new ConnectorArn.Ingress(false, false));
    }
}
