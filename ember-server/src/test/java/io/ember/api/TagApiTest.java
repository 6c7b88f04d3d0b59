package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.microvm.MicrovmIds;
import io.ember.testing.Await;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TagResource, UntagResource and ListTags over fake machines, on microVMs, built images and managed images. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TagApiTest {
    private static final String TAGS = "/2017-03-31/tags/";
    @TempDir
    Path dir;
    private ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(dir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** As the AWS clients send it: every reserved character percent-encoded. */
    private static String path(String arn) {
        return TAGS + URLEncoder.encode(arn, StandardCharsets.UTF_8);
    }

    private void noContent(String method, String path, String body) {
        HttpResponse<String> r = api.send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
    }

    private String error(String method, String path, String body, int status, String type) {
        HttpResponse<String> r = api.send(method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(ApiFixture.json(r).path("__type").asText()).isEqualTo(type);
        assertThat(r.headers().firstValue("X-Amzn-ErrorType")).contains(type);
        return ApiFixture.json(r).path("message").asText();
    }

    private JsonNode tags(String arn) {
        return api.ok("GET", path(arn), null).get("Tags");
    }

    @Test
    void tagsAMicrovmListsAndUntagsAndKeepsThemReadableOnceTerminated() {
        String id = api.running();
        String arn = io.ember.arn.Region.DEFAULT.render(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, id)); // the model shows no microVM ARN: this is its form
        assertThat(tags(arn).isObject()).isTrue();
        assertThat(tags(arn).size()).isZero();

        noContent("POST", path(arn), "{\"Tags\":{\"team\":\"a\",\"env\":\"dev\",\"empty\":\"\"}}");
        noContent("POST", TAGS + arn, "{\"Tags\":{\"team\":\"b\"}}"); // raw slashes in the path work too; a key is replaced
        assertThat(tags(arn).toString()).isEqualTo("{\"empty\":\"\",\"env\":\"dev\",\"team\":\"b\"}");

        noContent("DELETE", path(arn) + "?tagKeys=env&tagKeys=nosuch", null); // an absent key is not an error
        assertThat(tags(arn).toString()).isEqualTo("{\"empty\":\"\",\"team\":\"b\"}");

        assertThat(api.ok("DELETE", "/2025-09-09/microvms/" + id, null).size()).isZero();
        Await.until("TERMINATED", () -> api.ok("GET", "/2025-09-09/microvms/" + id, null).path("state").asText().equals("TERMINATED"));
        assertThat(tags(arn).path("team").asText()).as("readable once terminated").isEqualTo("b");
        assertThat(error("POST", path(arn), "{\"Tags\":{\"x\":\"y\"}}", 404, "ResourceNotFoundException")).contains("TERMINATED");
        error("DELETE", path(arn) + "?tagKeys=team", null, 404, "ResourceNotFoundException");
        assertThat(tags(arn).size()).isEqualTo(2);
    }

    @Test
    void refusesBadTagsNamingTheFieldAndChangesNothing() {
        String id = api.ok("POST", "/2025-09-09/microvms", "{\"imageIdentifier\":\"busybox\"}").path("microvmId").asText();
        String p = path(io.ember.arn.Region.DEFAULT.render(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, id)));
        assertThat(error("POST", p, "{\"Tags\":{\"" + "k".repeat(129) + "\":\"v\"}}", 400, "InvalidParameterValueException"))
                .contains("Tags").contains("1 to 128");
        assertThat(error("POST", p, "{\"Tags\":{\"k\":\"" + "v".repeat(257) + "\"}}", 400, "InvalidParameterValueException"))
                .isEqualTo("Tags.k must be at most 256 characters");
        assertThat(error("POST", p, "{\"Tags\":{\"AWS:owner\":\"v\"}}", 400, "InvalidParameterValueException")).contains("aws:");
        assertThat(error("POST", p, "{\"Tags\":{\"\":\"v\"}}", 400, "InvalidParameterValueException")).contains("1 to 128");
        assertThat(error("POST", p, "{\"Tags\":{\"k\":1}}", 400, "InvalidParameterValueException")).isEqualTo("Tags.k must be a string");
        assertThat(error("POST", p, "{\"Tags\":{}}", 400, "InvalidParameterValueException")).contains("Tags");
        assertThat(error("POST", p, "{}", 400, "InvalidParameterValueException")).contains("Tags is required");
        assertThat(error("DELETE", p, null, 400, "InvalidParameterValueException")).contains("tagKeys");
        assertThat(error("DELETE", p + "?tagKeys=aws:x", null, 400, "InvalidParameterValueException")).contains("tagKeys").contains("aws:");
        assertThat(error("GET", TAGS + "team-a", null, 400, "InvalidParameterValueException")).contains("ARN");
        assertThat(api.ok("GET", TAGS + id, null).path("Tags").size()).as("a microVM id is taken as well").isZero();

        // 50 tags at most per resource, counted after the merge; the refused request changes nothing.
        noContent("POST", p, tagBody("a", 30));
        assertThat(error("POST", p, tagBody("b", 21), 400, "InvalidParameterValueException")).contains("at most 50").contains("51");
        assertThat(tags(io.ember.arn.Region.DEFAULT.render(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, id))).size()).isEqualTo(30);
        noContent("POST", p, tagBody("b", 20));
        assertThat(tags(io.ember.arn.Region.DEFAULT.render(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, id))).size()).isEqualTo(50);
        noContent("POST", p, tagBody("a", 1)); // replacing a key keeps the count
        error("POST", TAGS + "mvm-x", "{\"Tags\":{\"k\":\"v\"}}", 400, "InvalidParameterValueException");
    }

    private static String tagBody(String prefix, int n) {
        StringBuilder b = new StringBuilder("{\"Tags\":{");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append("\":\"v\"");
        return b.append("}}").toString();
    }

    @Test
    void unknownResourcesAreNotFound() {
        String unknownVm = "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-000000000000000000000000";
        assertThat(error("GET", path(unknownVm), null, 404, "ResourceNotFoundException")).contains("mvm-000000000000000000000000");
        error("POST", path(unknownVm), "{\"Tags\":{\"k\":\"v\"}}", 404, "ResourceNotFoundException");
        error("DELETE", path(unknownVm) + "?tagKeys=k", null, 404, "ResourceNotFoundException");
        error("GET", path("arn:aws:lambda:local:000000000000:microvm/mvm-000000000000000000000000"), null, 404, "ResourceNotFoundException");
        error("GET", path("arn:aws:lambda:us-east-1:000000000000:microvm:garbage"), null, 404, "ResourceNotFoundException");
        error("GET", path("arn:aws:lambda:us-east-1:000000000000:microvm-image:nosuch"), null, 404, "ResourceNotFoundException");
        error("GET", path("arn:aws:lambda:local:000000000000:microvm-image/nosuch"), null, 404, "ResourceNotFoundException");
        error("GET", path("arn:aws:lambda:local:000000000000:function:f"), null, 404, "ResourceNotFoundException");
    }

    @Test
    void managedImagesListNoTagsAndRefuseChanges() {
        String arn = api.ok("GET", "/2025-09-09/managed-microvm-images", null).path("items").get(0).path("imageArn").asText();
        assertThat(tags(arn).size()).isZero();
        assertThat(error("POST", path(arn), "{\"Tags\":{\"k\":\"v\"}}", 403, "AccessDeniedException")).contains("cannot be tagged");
        error("DELETE", path(arn) + "?tagKeys=k", null, 403, "AccessDeniedException");
    }

    @Test
    void tagsOfBuiltImagesAreTheOnesCreateMicrovmImageTookAndGetMicrovmImageShows() throws Exception {
        Path zip = dir.resolve("code.zip");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("Dockerfile"));
            z.write("FROM busybox\n".getBytes());
        }
        Files.write(zip, bytes.toByteArray());
        String create = "{\"name\":\"app\",\"baseImageArn\":\"busybox\",\"buildRoleArn\":\"arn:aws:iam::123456789012:role/build\",\"codeArtifact\":{\"uri\":\"" + zip.toUri() + "\"},\"tags\":";
        assertThat(error("POST", "/2025-09-09/microvm-images", create + "{\"aws:x\":\"v\"}}", 400, "ValidationException"))
                .contains("tags").contains("aws:");
        HttpResponse<String> r = api.send("POST", "/2025-09-09/microvm-images", create + "{\"team\":\"a\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String arn = ApiFixture.json(r).path("imageArn").asText();
        assertThat(tags(arn).toString()).isEqualTo("{\"team\":\"a\"}");

        noContent("POST", path(arn), "{\"Tags\":{\"env\":\"prod\"}}");
        assertThat(api.ok("GET", "/2025-09-09/microvm-images/app", null).path("tags").toString())
                .isEqualTo("{\"env\":\"prod\",\"team\":\"a\"}");
        noContent("DELETE", path(arn) + "?tagKeys=team&tagKeys=env", null);
        assertThat(tags(arn).size()).isZero();
        assertThat(api.ok("GET", "/2025-09-09/microvm-images/app", null).has("tags")).isFalse();
    }
}
