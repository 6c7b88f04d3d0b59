package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.arn.Region;
import io.ember.testing.SigningHttpClient;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ARN the API answers is AWS's form in the server's region (here ap-southeast-2); requests may name ARNs of any
 * region and partition, or Ember's older forms; an ARN naming another account is not found (docs/api.md, "ARNs").
 */
class ArnApiTest {
    static final String REGION = "ap-southeast-2";
    static final String ADMIN = "000000000000";
    /** The API reference's pattern of every imageArn (MicrovmItem, GetMicrovm, ...). */
    static final String MODEL_IMAGE_ARN = "arn:[a-z0-9-]+:lambda:[a-z0-9-]*:[a-z0-9]*:microvm-image:.+";
    @TempDir Path dir;
    ApiFixture api;
    SigningHttpClient.Key admin;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withRegion(new Region(REGION)));
        admin = SigningHttpClient.Key.admin(api.dataDir);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> expect(String method, String path, String body, int status, String type) {
        HttpResponse<String> r = api.send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        if (type != null) assertThat(ApiFixture.json(r).get("__type").asText()).isEqualTo(type);
        return r;
    }

    @Test
    void healthAndWhoamiNameTheRegionAndTheAccount() {
        assertThat(api.ok("GET", "/ember/v1/health", null).get("region").asText()).isEqualTo(REGION);
        JsonNode me = api.ok("GET", "/ember/v1/whoami", null);
        assertThat(me.get("accountId").asText()).isEqualTo(ADMIN).isEqualTo(me.get("tenantId").asText());
        assertThat(me.get("region").asText()).isEqualTo(REGION);
    }

    @Test
    void microvmsAndManagedImages_answeredInTheServersRegion_foundByArnsOfAnyRegion() {
        JsonNode managed = api.ok("GET", "/2025-09-09/managed-microvm-images", null);
        assertThat(managed.get("items")).extracting(n -> n.get("imageArn").asText()).containsExactly(
                "arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox", "arn:aws:lambda:" + REGION + ":aws:microvm-image:debian");
        // The managed image's ARN as AWS's docs write it, in us-east-1: the same image here.
        String docsArn = "arn:aws:lambda:us-east-1:aws:microvm-image:busybox";
        assertThat(api.ok("GET", "/2025-09-09/managed-microvm-images/" + enc(docsArn) + "/versions", null).get("items").get(0)
                .get("imageArn").asText()).isEqualTo("arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox");

        JsonNode run = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"" + docsArn + "\","
                + "\"ingressNetworkConnectors\":[\"arn:aws:lambda:eu-west-1:aws:network-connector:aws-network-connector:ALL_INGRESS\","
                + "\"arn:aws:lambda:us-west-2:aws:network-connector:aws-network-connector:ALL_INGRESS\"],"
                + "\"egressNetworkConnectors\":[\"arn:aws-cn:lambda:cn-north-1:aws:network-connector:aws-network-connector:INTERNET_EGRESS\"]}");
        String id = run.get("microvmId").asText();
        assertThat(run.get("imageArn").asText()).isEqualTo("arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox");
        // one connector named in two regions is one connector
        assertThat(run.get("ingressNetworkConnectors")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:lambda:" + REGION + ":aws:network-connector:aws-network-connector:ALL_INGRESS");
        assertThat(run.get("egressNetworkConnectors")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:lambda:" + REGION + ":aws:network-connector:aws-network-connector:INTERNET_EGRESS");
        JsonNode item = api.ok("GET", "/2025-09-09/microvms", null).get("items").get(0);
        assertThat(item.get("imageArn").asText()).isEqualTo("arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox")
                .matches(MODEL_IMAGE_ARN);
        assertThat(api.ok("GET", "/2025-09-09/microvms?imageIdentifier=" + enc("arn:aws:lambda:eu-west-1:aws:microvm-image:busybox"),
                null).get("items")).hasSize(1);
        assertThat(api.ok("GET", "/2025-09-09/microvms?imageIdentifier=" + enc("arn:aws:lambda:eu-west-1:aws:microvm-image:debian"),
                null).get("items")).isEmpty();

        // The microVM by its ARN: AWS's form in any region, the stored form, Ember's older form.
        for (String arn : new String[] {"arn:aws:lambda:" + REGION + ":" + ADMIN + ":microvm:" + id,
                "arn:aws:lambda:eu-west-1:" + ADMIN + ":microvm:" + id, "arn:aws:lambda::" + ADMIN + ":microvm:" + id,
                "arn:aws:lambda:local:" + ADMIN + ":microvm/" + id}) {
            assertThat(api.ok("GET", "/2025-09-09/microvms/" + enc(arn), null).get("microvmId").asText()).as(arn).isEqualTo(id);
        }
        // Another account's ARN naming this id: not found, as an id that does not exist.
        expect("GET", "/2025-09-09/microvms/" + enc("arn:aws:lambda:" + REGION + ":123456789012:microvm:" + id), null, 404,
                "ResourceNotFoundException");
        expect("DELETE", "/2025-09-09/microvms/" + enc("arn:aws:lambda:" + REGION + ":123456789012:microvm:" + id), null, 404,
                "ResourceNotFoundException");
        expect("GET", "/2025-09-09/microvms/" + enc("arn:aws:lambda:" + REGION + ":" + ADMIN + ":microvm:garbage"), null, 400,
                "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"arn:aws:lambda:us-east-1:123456789012:microvm-image:busybox\"}",
                404, "ResourceNotFoundException");

        // Tags by the microVM's ARN in any form, and another account's ARN not found.
        String tags = "/2017-03-31/tags/" + enc("arn:aws:lambda:us-east-1:" + ADMIN + ":microvm:" + id);
        expect("POST", tags, "{\"Tags\":{\"team\":\"a\"}}", 204, null);
        assertThat(api.ok("GET", "/2017-03-31/tags/" + enc("arn:aws:lambda:local:" + ADMIN + ":microvm/" + id), null)
                .get("Tags").get("team").asText()).isEqualTo("a");
        expect("GET", "/2017-03-31/tags/" + enc("arn:aws:lambda:us-east-1:123456789012:microvm:" + id), null, 404,
                "ResourceNotFoundException");
        expect("POST", "/2017-03-31/tags/" + enc("arn:aws:lambda:eu-west-1:aws:microvm-image:debian"), "{\"Tags\":{\"a\":\"b\"}}",
                403, "AccessDeniedException");
    }

    @Test
    void builtImages_answeredInTheServersRegion_foundByArnsOfAnyRegion() throws Exception {
        Path zip = dir.resolve("code.zip");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("Dockerfile"));
            z.write("FROM busybox\nRUN true\n".getBytes());
        }
        Files.write(zip, bytes.toByteArray());
        HttpResponse<String> r = expect("POST", "/2025-09-09/microvm-images", "{\"name\":\"app\",\"buildRoleArn\":\"arn:aws:iam::123456789012:role/build\",\"baseImageArn\":"
                + "\"arn:aws:lambda:eu-west-1:aws:microvm-image:busybox\",\"codeArtifact\":{\"uri\":\"" + zip.toUri() + "\"},"
                + "\"egressNetworkConnectors\":[\"arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:INTERNET_EGRESS\"]}",
                201, null);
        JsonNode created = ApiFixture.json(r);
        String arn = "arn:aws:lambda:" + REGION + ":" + ADMIN + ":microvm-image:app";
        assertThat(created.get("imageArn").asText()).isEqualTo(arn).matches(MODEL_IMAGE_ARN);
        assertThat(created.get("baseImageArn").asText()).isEqualTo("arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox");
        assertThat(created.get("egressNetworkConnectors").get(0).asText())
                .isEqualTo("arn:aws:lambda:" + REGION + ":aws:network-connector:aws-network-connector:INTERNET_EGRESS");
        for (String identifier : new String[] {"app", arn, "arn:aws:lambda:eu-west-1:" + ADMIN + ":microvm-image:app",
                "arn:aws:lambda:local:" + ADMIN + ":microvm-image/app"}) {
            assertThat(api.ok("GET", "/2025-09-09/microvm-images/" + enc(identifier), null).get("imageArn").asText())
                    .as(identifier).isEqualTo(arn);
        }
        assertThat(api.ok("GET", "/2025-09-09/microvm-images", null).get("items").get(0).get("imageArn").asText()).isEqualTo(arn);
        JsonNode v = api.ok("GET", "/2025-09-09/microvm-images/" + enc("arn:aws:lambda:us-east-1:" + ADMIN + ":microvm-image:app")
                + "/versions/1", null);
        assertThat(v.get("imageArn").asText()).isEqualTo(arn);
        assertThat(v.get("baseImageArn").asText()).isEqualTo("arn:aws:lambda:" + REGION + ":aws:microvm-image:busybox");
        expect("GET", "/2025-09-09/microvm-images/" + enc("arn:aws:lambda:" + REGION + ":123456789012:microvm-image:app"), null,
                404, "ResourceNotFoundException");
        expect("GET", "/2017-03-31/tags/" + enc("arn:aws:lambda:" + REGION + ":123456789012:microvm-image:app"), null,
                404, "ResourceNotFoundException");
        assertThat(api.ok("GET", "/2017-03-31/tags/" + enc("arn:aws:lambda:eu-west-1:" + ADMIN + ":microvm-image:app"), null)
                .get("Tags").size()).isZero();
    }

    @Test
    void connectorsAndSecrets_answeredInTheServersRegion() {
        HttpResponse<String> r = expect("POST", NetworkConnectorRoutes.BASE, NetworkConnectorApiTest.create("deny",
                "{\"egressPolicyConfiguration\":{\"defaultAction\":\"DENY\",\"rules\":[]}}"), 201, null);
        String id = ApiFixture.json(r).get("networkConnectorId").asText();
        String arn = "arn:aws:lambda:" + REGION + ":" + ADMIN + ":network-connector:" + id;
        assertThat(ApiFixture.json(r).get("networkConnectorArn").asText()).isEqualTo(arn);
        assertThat(api.ok("GET", NetworkConnectorRoutes.BASE + "/" + enc("arn:aws:lambda:us-east-1:" + ADMIN + ":network-connector:" + id),
                null).get("networkConnectorArn").asText()).isEqualTo(arn);
        expect("GET", NetworkConnectorRoutes.BASE + "/" + enc("arn:aws:lambda:us-east-1:123456789012:network-connector:" + id), null,
                404, "ResourceNotFoundException");

        JsonNode secret = api.ok("PUT", "/ember/v1/secrets/db", "{\"value\":\"hunter2\"}");
        assertThat(secret.get("arn").asText()).isEqualTo("arn:aws:secretsmanager:" + REGION + ":" + ADMIN + ":secret:db");
        expect("POST", "/2017-03-31/tags/" + enc("arn:aws:secretsmanager:us-east-1:" + ADMIN + ":secret:db"),
                "{\"Tags\":{\"k\":\"v\"}}", 204, null);
        assertThat(api.ok("GET", "/2017-03-31/tags/" + enc(secret.get("arn").asText()), null).get("Tags").get("k").asText())
                .isEqualTo("v");
    }

    @Test
    void anotherTenantsArnsAreNotFound_evenNamingTheCallersOwnAccount() {
        String id = api.running();
        String tenant = api.ok("POST", "/ember/v1/tenants", "{\"name\":\"b\"}").get("tenantId").asText();
        JsonNode k = api.ok("POST", "/ember/v1/tenants/" + tenant + "/access-keys", null);
        api.http.use(new SigningHttpClient.Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText()));
        assertThat(api.ok("GET", "/ember/v1/whoami", null).get("accountId").asText()).isEqualTo(tenant).matches("[0-9]{12}");
        for (String account : new String[] {ADMIN, tenant}) {
            expect("GET", "/2025-09-09/microvms/" + enc("arn:aws:lambda:" + REGION + ":" + account + ":microvm:" + id), null, 404,
                    "ResourceNotFoundException");
            expect("GET", "/2017-03-31/tags/" + enc("arn:aws:lambda:" + REGION + ":" + account + ":microvm:" + id), null, 404,
                    "ResourceNotFoundException");
        }
        api.http.use(admin);
    }

    @Test
    void identifiersAreOneTo256Characters_asTheModelSays() {
        String arn256 = "arn:aws:lambda:" + REGION + ":" + ADMIN + ":microvm-image:";
        arn256 += "a".repeat(256 - arn256.length());
        expect("GET", "/2025-09-09/microvm-images/" + enc(arn256), null, 404, "ResourceNotFoundException");
        expect("GET", "/2025-09-09/microvm-images/" + enc(arn256 + "a"), null, 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"" + arn256 + "\"}", 404, "ResourceNotFoundException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"" + arn256 + "a\"}", 400, "ValidationException");
        expect("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"\"}", 400, "ValidationException");
    }

    @Test
    void aDataDirectoryAnswersInTheRegionItsServerIsStartedWith() throws Exception {
        String id = api.running();
        api.ok("PUT", "/ember/v1/secrets/db", "{\"value\":\"x\"}");
        api.close();
        api = new ApiFixture(dir, 64, c -> c.withRegion(new Region("eu-central-1")));
        JsonNode vm = api.ok("GET", "/2025-09-09/microvms/" + enc("arn:aws:lambda:" + REGION + ":" + ADMIN + ":microvm:" + id), null);
        assertThat(vm.get("imageArn").asText()).isEqualTo("arn:aws:lambda:eu-central-1:aws:microvm-image:busybox");
        assertThat(vm.get("ingressNetworkConnectors").get(0).asText()).startsWith("arn:aws:lambda:eu-central-1:aws:network-connector:");
        assertThat(api.ok("GET", "/ember/v1/secrets/db", null).get("arn").asText())
                .isEqualTo("arn:aws:secretsmanager:eu-central-1:" + ADMIN + ":secret:db");
    }
}
