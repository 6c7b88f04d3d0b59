package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.connector.ConnectorArn;
import io.ember.testing.Await;
import io.ember.testing.SigningHttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network connectors over HTTP (fake machines): their lifecycle, tenancy, and what RunMicrovm does with connector ARNs. */
class NetworkConnectorApiTest {
    static final String BASE = "/ember/v1/network-connectors";
    static final String SHELL = "arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:SHELL_INGRESS";
    static final String DENY_ALL = "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\"}}";
    static final String ALLOW_LIST = "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rules\":["
            + "{\"action\":\"ALLOW\",\"domain\":\"*.example.com\",\"protocol\":\"TCP\",\"ports\":\"443\"},"
            + "{\"action\":\"ALLOW\",\"cidr\":\"203.0.113.0/24\",\"protocol\":\"UDP\",\"ports\":\"8000-8100\"}],"
            + "\"bandwidthMbps\":100,\"maxConnections\":512}}";
    @TempDir Path dir;
    ApiFixture api;
    SigningHttpClient.Key admin;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir);
        admin = SigningHttpClient.Key.admin(api.dataDir);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static String create(String name, String configuration) {
        return "{\"name\":\"" + name + "\",\"configuration\":" + configuration + "}";
    }

    private JsonNode created(String name, String configuration) {
        HttpResponse<String> r = api.send("POST", BASE, create(name, configuration));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return ApiFixture.json(r);
    }

    private JsonNode settled(String id) {
        Await.until("settled", () -> !api.ok("GET", BASE + "/" + id, null).get("state").asText().equals("PENDING"));
        return api.ok("GET", BASE + "/" + id, null);
    }

    private static void error(HttpResponse<String> r, int status, String type, String part) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo(type);
        assertThat(ApiFixture.json(r).get("message").asText()).contains(part);
    }

    private String run(String extra) {
        return api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"" + extra + "}").get("microvmId").asText();
    }

    @Test
    void aConnectorGoesPendingToActiveAndIsFoundByIdNameOrArnAndPaged() {
        JsonNode c = created("allow-list", ALLOW_LIST);
        String id = c.get("networkConnectorId").asText();
        assertThat(id).matches("nc-[0-9a-f]{24}");
        assertThat(c.get("state").asText()).isEqualTo("PENDING");
        assertThat(c.get("networkConnectorArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:network-connector:" + id);
        // Written back canonical: protocol and ports as given, defaults left out.
        assertThat(c.get("configuration").get("egressPolicyConfiguration").get("rules").get(0).get("domain").asText()).isEqualTo("*.example.com");
        assertThat(c.get("configuration").get("egressPolicyConfiguration").get("maxConnections").asInt()).isEqualTo(512);
        assertThat(c.has("createdAt") && c.has("lastModified")).isTrue();

        assertThat(settled(id).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(api.ok("GET", BASE + "/allow-list", null).get("networkConnectorId").asText()).isEqualTo(id);
        assertThat(api.ok("GET", BASE + "/" + c.get("networkConnectorArn").asText(), null).get("name").asText()).isEqualTo("allow-list");

        created("deny-all", DENY_ALL);
        created("third", DENY_ALL);
        JsonNode page = api.ok("GET", BASE + "?maxResults=2", null);
        assertThat(page.get("networkConnectors")).hasSize(2);
        JsonNode rest = api.ok("GET", BASE + "?maxResults=2&nextToken=" + page.get("nextToken").asText(), null);
        assertThat(rest.get("networkConnectors")).hasSize(1);
        assertThat(rest.get("networkConnectors").get(0).get("name").asText()).isEqualTo("third");
        assertThat(rest.has("nextToken")).isFalse();

        error(api.send("POST", BASE, create("deny-all", DENY_ALL)), 409, "ConflictException", "named deny-all exists");
        error(api.send("GET", BASE + "/nope", null), 404, "ResourceNotFoundException", "nope");
    }

    @Test
    void badConfigurationsAreRefusedNamingTheField() {
        error(api.send("POST", BASE, create("x", "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rules\":[{\"action\":\"ALLOW\",\"cidr\":\"10.0.0.0/33\"}]}}")),
                400, "ValidationException", "egressPolicyConfiguration.rules[0].cidr");
        error(api.send("POST", BASE, create("x", "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rules\":[{\"action\":\"ALLOW\",\"domain\":\"a.b\",\"ports\":\"70000\"}]}}")),
                400, "ValidationException", "egressPolicyConfiguration.rules[0].ports");
        error(api.send("POST", BASE, create("x", "{\"VpcEgressConfiguration\":{}}")), 400, "ValidationException", "configuration.VpcEgressConfiguration: unknown field");
        error(api.send("POST", BASE, "{\"name\":\"x\"}"), 400, "ValidationException", "configuration is required");
        error(api.send("POST", BASE, create("bad name", DENY_ALL)), 400, "ValidationException", "name must be");
        assertThat(api.ok("GET", BASE, null).get("networkConnectors")).isEmpty();
    }

    @Test
    void aHostNetworkThatIsNotAUsableInterfaceFailsWithAReason() {
        String missing = created("missing", "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"hostNetwork\":\"nosuch-if0\"}}")
                .get("networkConnectorId").asText();
        JsonNode m = settled(missing);
        assertThat(m.get("state").asText()).isEqualTo("FAILED");
        assertThat(m.get("stateReason").asText()).isEqualTo("hostNetwork nosuch-if0 is not an interface on this host");
        String lo = created("loopback", "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"hostNetwork\":\"lo\"}}")
                .get("networkConnectorId").asText();
        assertThat(settled(lo).get("stateReason").asText()).contains("loopback");

        // A FAILED connector cannot be used; an update that fixes it makes it ACTIVE.
        error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"egressNetworkConnectors\":[\""
                + ConnectorArn.of("000000000000", missing) + "\"]}"), 400, "ValidationException", "is FAILED (hostNetwork nosuch-if0");
        JsonNode u = api.ok("PUT", BASE + "/" + missing, "{\"configuration\":" + DENY_ALL + "}");
        assertThat(u.get("state").asText()).isEqualTo("PENDING");
        JsonNode fixed = settled(missing);
        assertThat(fixed.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(fixed.has("stateReason")).isFalse();
    }

    @Test
    void runMicrovmTakesConnectorArnsKeepsThePolicyOfThenAndDeleteWaitsForItsMicrovms() throws Exception {
        String id = created("deny-all", DENY_ALL).get("networkConnectorId").asText();
        settled(id);
        String arn = io.ember.arn.Region.DEFAULT.render(ConnectorArn.of("000000000000", id)); // as answered, in us-east-1
        String vm = run(",\"egressNetworkConnectors\":[\"" + arn + "\"],\"ingressNetworkConnectors\":[\"" + SHELL + "\"]");
        JsonNode got = api.ok("GET", "/2025-09-09/microvms/" + vm, null);
        assertThat(got.get("egressNetworkConnectors")).containsExactly(ApiFixture.JSON.getNodeFactory().textNode(arn));
        assertThat(got.get("ingressNetworkConnectors")).containsExactly(ApiFixture.JSON.getNodeFactory().textNode(SHELL));
        JsonNode listed = api.ok("GET", "/2025-09-09/microvms", null).get("items").get(0);
        assertThat(listed.get("egressNetworkConnectors").get(0).asText()).isEqualTo(arn);
        assertThat(api.server.microvms().get(vm).egressPolicy().defaultAction()).isEqualTo(io.ember.egress.EgressPolicy.Action.DENY);

        // An update does not change the running microVM's policy.
        api.ok("PUT", BASE + "/" + id, "{\"configuration\":" + ALLOW_LIST + "}");
        assertThat(api.server.microvms().get(vm).egressPolicy().defaultAction()).isEqualTo(io.ember.egress.EgressPolicy.Action.DENY);

        // SHELL_INGRESS alone: shell tokens yes, application tokens no.
        assertThat(api.ok("POST", "/2025-09-09/microvms/" + vm + "/shell-auth-token", "{\"expirationInMinutes\":5}")
                .get("authToken").size()).isEqualTo(1);
        error(api.send("POST", "/2025-09-09/microvms/" + vm + "/auth-token", "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"allPorts\":{}}]}"),
                400, "ValidationException", "HTTP_INGRESS or ALL_INGRESS");

        error(api.send("DELETE", BASE + "/" + id, null), 409, "ConflictException", vm);
        api.ok("DELETE", "/2025-09-09/microvms/" + vm, null);
        JsonNode deleted = api.ok("DELETE", BASE + "/" + id, null);
        assertThat(deleted.get("state").asText()).isEqualTo("DELETING");
        error(api.send("GET", BASE + "/" + id, null), 404, "ResourceNotFoundException", id);
    }

    @Test
    void theDefaultsAreHttpIngressAndInternetEgressAndShellTokensNeedShellIngress() {
        String vm = run("");
        JsonNode got = api.ok("GET", "/2025-09-09/microvms/" + vm, null);
        assertThat(got.get("ingressNetworkConnectors").get(0).asText()).isEqualTo(ConnectorArn.Managed.HTTP_INGRESS.arn(io.ember.arn.Region.DEFAULT));
        assertThat(got.get("egressNetworkConnectors").get(0).asText()).isEqualTo(ConnectorArn.Managed.INTERNET_EGRESS.arn(io.ember.arn.Region.DEFAULT));
        assertThat(api.server.microvms().get(vm).egressPolicy()).isEqualTo(io.ember.egress.EgressPolicy.INTERNET);
        error(api.send("POST", "/2025-09-09/microvms/" + vm + "/shell-auth-token", "{\"expirationInMinutes\":5}"),
                400, "ValidationException", "was not run with the SHELL_INGRESS network connector");
        api.ok("POST", "/2025-09-09/microvms/" + vm + "/auth-token", "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}");

        String all = run(",\"ingressNetworkConnectors\":[\"" + ConnectorArn.Managed.ALL_INGRESS.arn() + "\"]");
        api.ok("POST", "/2025-09-09/microvms/" + all + "/shell-auth-token", "{\"expirationInMinutes\":5}");
        api.ok("POST", "/2025-09-09/microvms/" + all + "/auth-token", "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}");
    }

    @Test
    void malformedOrMisplacedConnectorsAreRefusedBeforeAnythingIsCreated() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"\"ingressNetworkConnectors\":[\"SHELL_INGRESS\"]", "ingressNetworkConnectors[0]: Malformed network connector ARN 'SHELL_INGRESS'"});
        cases.add(new String[] {"\"ingressNetworkConnectors\":[\"" + ConnectorArn.Managed.INTERNET_EGRESS.arn() + "\"]", "is not an ingress connector"});
        cases.add(new String[] {"\"egressNetworkConnectors\":[\"" + SHELL + "\"]", "egressNetworkConnectors[0]: " + SHELL + " is not an egress connector"});
        cases.add(new String[] {"\"egressNetworkConnectors\":[\"" + ConnectorArn.of("000000000000", "nc-000000000000000000000000") + "\"]", "not found"});
        cases.add(new String[] {"\"egressNetworkConnectors\":[\"" + ConnectorArn.Managed.INTERNET_EGRESS.arn() + "\",\""
                + ConnectorArn.of("000000000000", "nc-000000000000000000000000") + "\"]", "at most one egress connector"});
        for (String[] c : cases) {
            error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"," + c[0] + "}"), 400, "ValidationException", c[1]);
        }
        assertThat(api.ok("GET", "/2025-09-09/microvms", null).get("items")).isEmpty();
    }

    @Test
    void anotherTenantCanNeitherSeeNorUseAConnector() {
        String id = created("mine", DENY_ALL).get("networkConnectorId").asText();
        settled(id);
        api.http.use(admin);
        String tenant = api.ok("POST", "/ember/v1/tenants", "{\"name\":\"other\"}").get("tenantId").asText();
        JsonNode k = api.ok("POST", "/ember/v1/tenants/" + tenant + "/access-keys", null);
        api.http.use(new SigningHttpClient.Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText()));
        error(api.send("GET", BASE + "/" + id, null), 404, "ResourceNotFoundException", id);
        error(api.send("GET", BASE + "/mine", null), 404, "ResourceNotFoundException", "mine");
        error(api.send("DELETE", BASE + "/" + id, null), 404, "ResourceNotFoundException", id);
        assertThat(api.ok("GET", BASE, null).get("networkConnectors")).isEmpty();
        String arn = ConnectorArn.of("000000000000", id);
        error(api.send("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\",\"egressNetworkConnectors\":[\"" + arn + "\"]}"),
                400, "ValidationException", "network connector " + id + " not found");
        // Its own connector of the same name is another connector.
        assertThat(created("mine", DENY_ALL).get("networkConnectorId").asText()).isNotEqualTo(id);
    }
}
