package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.ImageFixtures;
import io.ember.sdk.Stub;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImageCommandsTest {
    static final String IMAGES = "/2025-09-09/microvm-images";
    static final String DEMO = IMAGES + "/demo";

    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void getMicrovmImage_byArn_printsItsState() throws Exception {
        stub.json("GET", IMAGES + "/" + ImageFixtures.ARN_SEGMENT, 200, ImageFixtures.image("CREATED"));
        Cli r = cli("get-microvm-image", "--image-identifier", ImageFixtures.ARN);
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode j = Output.MAPPER.readTree(r.out);
        assertThat(j.get("state").asText()).isEqualTo("CREATED");
        assertThat(j.get("imageArn").asText()).isEqualTo(ImageFixtures.ARN);
        assertThat(j.get("updatedAt").asText()).isEqualTo("2026-01-01T00:01:00Z");
        assertThat(r.out).startsWith("{\n    \"imageArn\": ");
    }

    @Test
    void listMicrovmImages_nameFilter_andPaging() throws Exception {
        stub.on("GET", IMAGES, ex -> Stub.send(ex, 200, "application/json", Stub.query(ex, "nextToken") == null
                ? "{\"items\":[" + ImageFixtures.image("CREATED") + "],\"nextToken\":\"p2\"}"
                : "{\"items\":[" + ImageFixtures.image("CREATING").replace("\"demo\"", "\"demo2\"") + "]}"));

        Cli all = cli("list-microvm-images", "--name-filter", "dem");
        assertThat(Output.MAPPER.readTree(all.out).get("items").findValuesAsText("name")).containsExactly("demo", "demo2");
        assertThat(stub.seen.get(0).rawQuery()).isEqualTo("nameFilter=dem");
        assertThat(stub.seen.get(1).rawQuery()).isEqualTo("nextToken=p2&nameFilter=dem");

        Cli one = cli("list-microvm-images", "--max-items", "1");
        assertThat(Output.MAPPER.readTree(one.out).get("NextToken").asText()).isEqualTo("p2");
    }

    @Test
    void deleteMicrovmImage_printsTheAnswer() throws Exception {
        stub.json("DELETE", DEMO, 200, "{\"imageIdentifier\":\"demo\",\"state\":\"DELETED\"}");
        Cli r = cli("delete-microvm-image", "--image-identifier", "demo");
        assertThat(r.exit).isZero();
        assertThat(Output.MAPPER.readTree(r.out).get("state").asText()).isEqualTo("DELETED");
    }

    @Test
    void versions_getListUpdateDelete() throws Exception {
        stub.json("GET", DEMO + "/versions/1", 200, ImageFixtures.version("1", "FAILED", "line 3: unsupported VOLUME"));
        stub.json("GET", DEMO + "/versions", 200, "{\"items\":[" + ImageFixtures.version("1", "SUCCESSFUL", null) + ","
                + ImageFixtures.version("2", "IN_PROGRESS", null) + "]}");
        stub.capture("PATCH", DEMO + "/versions/1", 200, ImageFixtures.version("1", "SUCCESSFUL", null).replace("ACTIVE", "INACTIVE"));
        stub.json("DELETE", DEMO + "/versions/2", 200, "{\"imageIdentifier\":\"demo\",\"imageVersion\":\"2\",\"state\":\"DELETED\"}");

        JsonNode got = Output.MAPPER.readTree(cli("get-microvm-image-version", "--image-identifier", "demo", "--image-version", "1").out);
        assertThat(got.get("stateReason").asText()).isEqualTo("line 3: unsupported VOLUME");
        assertThat(got.at("/codeArtifact/uri").asText()).startsWith("ember-upload://");

        Cli list = cli("list-microvm-image-versions", "--image-identifier", "demo", "--page-size", "10");
        assertThat(Output.MAPPER.readTree(list.out).get("items").findValuesAsText("state")).containsExactly("SUCCESSFUL", "IN_PROGRESS");
        assertThat(stub.last().rawQuery()).isEqualTo("maxResults=10");

        Cli patch = cli("update-microvm-image-version", "--image-identifier", "demo", "--image-version", "1", "--status", "INACTIVE");
        assertThat(patch.exit).as(patch.toString()).isZero();
        assertThat(stub.bodyOf("PATCH", DEMO + "/versions/1")).isEqualTo("{\"status\":\"INACTIVE\"}");
        assertThat(Output.MAPPER.readTree(patch.out).get("status").asText()).isEqualTo("INACTIVE");

        Cli bad = cli("update-microvm-image-version", "--image-identifier", "demo", "--image-version", "1", "--status", "active");
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("--status must be ACTIVE or INACTIVE, got 'active'");

        Cli del = cli("delete-microvm-image-version", "--image-identifier", "demo", "--image-version", "2");
        assertThat(Output.MAPPER.readTree(del.out).get("imageVersion").asText()).isEqualTo("2");
        assertThat(stub.last().method()).isEqualTo("DELETE");
    }

    @Test
    void builds_listAndGet() throws Exception {
        stub.json("GET", DEMO + "/versions/1/builds", 200, "{\"items\":[" + ImageFixtures.build("1", "bld-1", "FAILED") + "]}");
        stub.json("GET", DEMO + "/versions/1/builds/bld-1", 200, ImageFixtures.build("1", "bld-1", "SUCCESSFUL"));

        Cli list = cli("list-microvm-image-builds", "--image-identifier", "demo", "--image-version", "1");
        assertThat(Output.MAPPER.readTree(list.out).at("/items/0/buildState").asText()).isEqualTo("FAILED");

        Cli get = cli("get-microvm-image-build", "--image-identifier", "demo", "--image-version", "1", "--build-id", "bld-1");
        assertThat(Output.MAPPER.readTree(get.out).at("/snapshotBuild/diskSnapshotSizeInBytes").asLong()).isEqualTo(5_000_000_000L);
    }

    @Test
    void buildLog_followsTheNewestBuild_fromAnOffset_toStdoutVerbatim() {
        stub.json("GET", DEMO + "/versions/1/builds", 200, "{\"items\":["
                + ImageFixtures.build("1", "bld-new", "IN_PROGRESS").replace("1767225600", "1767225700") + ","
                + ImageFixtures.build("1", "bld-old", "FAILED") + "]}");
        stub.on("GET", "/ember/v1/microvm-images/demo/versions/1/builds/bld-new/log", ex -> {
            OutputStream out = Stub.startText(ex);
            Stub.text(out, "[    0.1s] Step 1/1 : FROM debian\n");
            Stub.text(out, "tail without newline");
        });
        stub.json("GET", DEMO + "/versions/1/builds/bld-new", 200, ImageFixtures.build("1", "bld-new", "SUCCESSFUL"));

        Cli r = cli("get-microvm-image-build-log", "--image-identifier", "demo", "--image-version", "1", "--offset", "5", "--follow");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo("[    0.1s] Step 1/1 : FROM debian\ntail without newline");
        assertThat(stub.seen.stream().filter(s -> s.rawPath().endsWith("/log")).findFirst().orElseThrow().rawQuery())
                .isEqualTo("offset=5&follow=true");
    }

    @Test
    void buildLog_withoutFollow_readsOnce() {
        stub.json("GET", "/ember/v1/microvm-images/demo/versions/1/builds/bld-1/log", 200, "so far\n");
        Cli r = cli("get-microvm-image-build-log", "--image-identifier", "demo", "--image-version", "1", "--build-id", "bld-1");
        assertThat(r.out).isEqualTo("so far\n");
        assertThat(stub.last().rawQuery()).isEqualTo("offset=0");
        assertThat(stub.seen).hasSize(1);
    }

    @Test
    void buildLog_versionWithoutBuilds_isNotFound() {
        stub.json("GET", DEMO + "/versions/1/builds", 200, "{\"items\":[]}");
        Cli r = cli("get-microvm-image-build-log", "--image-identifier", "demo", "--image-version", "1");
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).contains("ResourceNotFoundException").contains("has no build");
    }

    @Test
    void imageNotFound_exits254() {
        stub.on("GET", IMAGES + "/nope", ex -> Stub.error(ex, 404, "ResourceNotFoundException", "image nope not found"));
        Cli r = cli("get-microvm-image", "--image-identifier", "nope");
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).isEqualTo("An error occurred (ResourceNotFoundException): image nope not found\n");
    }

    private Cli cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--endpoint-url";
        all[args.length + 1] = stub.url();
        return Cli.run(all);
    }
}
