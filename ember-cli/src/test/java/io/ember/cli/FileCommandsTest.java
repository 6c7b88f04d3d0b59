package io.ember.cli;

import io.ember.sdk.Stub;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FileCommandsTest {
    private static final String FILES = "/ember/v1/microvms/mvm-1/files";
    @RegisterExtension
    final Stub stub = Stub.started();
    private final AtomicReference<byte[]> uploaded = new AtomicReference<>();
    @TempDir Path tmp;

    @BeforeEach
    void start() {
        stub.on("PUT", FILES, ex -> {
            uploaded.set(Stub.body(ex));
            Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/x\",\"size\":" + uploaded.get().length + "}");
        });
        stub.on("GET", FILES, ex -> {
            String q = ex.getRequestURI().getRawQuery();
            if (q.contains("missing")) {
                Stub.error(ex, 404, "ResourceNotFoundException", "no such file: /workspace/missing");
                return;
            }
            byte[] b = "remote bytes\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
        });
    }

    @Test
    void cp_upload_keepsLocalPermissions_andNameForTrailingSlash() throws Exception {
        Path script = Files.writeString(tmp.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));

        Cli r = Cli.run("cp", script.toString(), "mvm-1:/workspace/bin/", "--endpoint-url", stub.url());

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).isEmpty();
        assertThat(new String(uploaded.get(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(stub.last().rawQuery()).isEqualTo("path=%2Fworkspace%2Fbin%2Frun.sh&mode=0750");
    }

    @Test
    void cp_upload_fromStdin_withModeAndArn() {
        String arn = "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-1";
        stub.on("PUT", "/ember/v1/microvms/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3Amvm-1/files", ex -> {
            uploaded.set(Stub.body(ex));
            Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/in.txt\",\"size\":5}");
        });
        Cli r = Cli.run(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), Map.of(),
                "cp", "--mode", "600", "-", arn + ":in.txt", "--endpoint-url", stub.url());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(uploaded.get()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(stub.last().rawQuery()).isEqualTo("path=in.txt&mode=0600");
    }

    @Test
    void cp_download_toStdout_toFile_andIntoDirectory() throws Exception {
        Cli toStdout = Cli.run("cp", "mvm-1:/workspace/a.txt", "-", "--endpoint-url", stub.url());
        assertThat(toStdout.out).isEqualTo("remote bytes\n");

        Cli toFile = Cli.run("cp", "mvm-1:/workspace/a.txt", tmp.resolve("b.txt").toString(), "--endpoint-url", stub.url());
        assertThat(toFile.exit).isZero();
        assertThat(Files.readString(tmp.resolve("b.txt"))).isEqualTo("remote bytes\n");

        Cli intoDir = Cli.run("cp", "mvm-1:/workspace/a.txt", tmp.toString(), "--endpoint-url", stub.url());
        assertThat(intoDir.exit).isZero();
        assertThat(Files.readString(tmp.resolve("a.txt"))).isEqualTo("remote bytes\n");
    }

    @Test
    void cp_errors() {
        Cli missingRemote = Cli.run("cp", "mvm-1:/workspace/missing", tmp.resolve("m").toString(), "--endpoint-url", stub.url());
        assertThat(missingRemote.exit).isEqualTo(254);
        assertThat(missingRemote.err).startsWith("An error occurred (ResourceNotFoundException): no such file");
        assertThat(Files.exists(tmp.resolve("m"))).isFalse();

        Cli missingLocal = Cli.run("cp", tmp.resolve("nope").toString(), "mvm-1:/workspace/", "--endpoint-url", stub.url());
        assertThat(missingLocal.exit).isEqualTo(1);
        assertThat(missingLocal.err).contains("no such file");

        assertThat(Cli.run("cp", "a", "b").exit).as("both local").isEqualTo(2);
        assertThat(Cli.run("cp", "mvm-1:/a", "mvm-2:/b").exit).as("both remote").isEqualTo(2);
        assertThat(Cli.run("cp", "--mode", "999", "-", "mvm-1:/a").exit).as("bad mode").isEqualTo(2);
        assertThat(Cli.run("cp", "-", "mvm-1:").exit).as("no path").isEqualTo(2);
    }

    @Test
    void ls_text_json_andDefaultPath() throws Exception {
        stub.json("GET", FILES + "/list", 200, "{\"entries\":[{\"name\":\"bin\",\"type\":\"directory\",\"size\":4096,"
                + "\"mode\":493,\"modifiedAt\":0},{\"name\":\"a.txt\",\"type\":\"file\",\"size\":3,\"mode\":420,\"modifiedAt\":1.5}]}");

        Cli text = Cli.run("ls", "mvm-1", "--endpoint-url", stub.url());
        assertThat(text.out).isEqualTo("drwxr-xr-x       4096 1970-01-01T00:00:00Z bin\n"
                + "-rw-r--r--          3 1970-01-01T00:00:01.500Z a.txt\n");
        assertThat(stub.last().rawQuery()).isEqualTo("path=%2Fworkspace");

        Cli json = Cli.run("ls", "mvm-1:/etc", "--output", "json", "--endpoint-url", stub.url());
        JsonNode j = Output.MAPPER.readTree(json.out);
        assertThat(j.at("/entries/1/mode").asText()).isEqualTo("0644");
        assertThat(stub.last().rawQuery()).isEqualTo("path=%2Fetc");

        assertThat(Cli.run("ls", "not-an-id").exit).isEqualTo(2);
    }

    @Test
    void mkdir_and_rm() throws Exception {
        AtomicReference<String> mkdirBody = new AtomicReference<>();
        stub.on("POST", FILES + "/mkdir", ex -> {
            mkdirBody.set(new String(Stub.body(ex), StandardCharsets.UTF_8));
            Stub.send(ex, 200, "application/json", "{}");
        });
        stub.json("DELETE", FILES, 200, "{}");

        assertThat(Cli.run("mkdir", "-p", "mvm-1:/workspace/a/b", "--endpoint-url", stub.url()).exit).isZero();
        assertThat(mkdirBody.get()).isEqualTo("{\"path\":\"/workspace/a/b\",\"parents\":true}");
        assertThat(Cli.run("rm", "-r", "mvm-1:/workspace/a", "--endpoint-url", stub.url()).exit).isZero();
        assertThat(stub.last().rawQuery()).isEqualTo("path=%2Fworkspace%2Fa&recursive=true");
    }

    @Test
    void remotePath_parsing() {
        assertThat(RemotePath.parse("mvm-0123abc:/a:b")).contains(new RemotePath("mvm-0123abc", "/a:b"));
        assertThat(RemotePath.parse("arn:aws:lambda:us-east-1:000000000000:microvm:mvm-1:x"))
                .contains(new RemotePath("arn:aws:lambda:us-east-1:000000000000:microvm:mvm-1", "x"));
        // the older form, still taken by the server
        assertThat(RemotePath.parse("arn:aws:lambda:local:000000000000:microvm/mvm-1:x"))
                .contains(new RemotePath("arn:aws:lambda:local:000000000000:microvm/mvm-1", "x"));
        assertThat(RemotePath.parse("arn:aws:lambda:eu-west-1:123456789012:microvm:mvm-1:/a:b"))
                .contains(new RemotePath("arn:aws:lambda:eu-west-1:123456789012:microvm:mvm-1", "/a:b"));
        assertThat(RemotePath.parse("arn:aws:lambda:eu-west-1:123456789012:microvm-image:app:/x")).isEmpty();
        assertThat(RemotePath.parse("./mvm-1:/x")).isEmpty();
        assertThat(RemotePath.parse("C:/x")).isEmpty();
        assertThat(new RemotePath("mvm-1", "/workspace/d/f.txt").fileName()).isEqualTo("f.txt");
    }
}
