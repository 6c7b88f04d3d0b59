package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.Stub;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Keys, tenants, secrets, roles, events and usage from the command line; the stub checks every signature. */
class TenantCommandsTest {
    static final String TENANT = "{\"tenantId\":\"123456789012\",\"name\":\"team\",\"createdAt\":1764417600,"
            + "\"quotas\":{\"maxRunningMicrovms\":10}}";
    @TempDir Path tmp;
    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void keysComeFromAProfileFileWithProfileAndRegionFlags() throws Exception {
        Path creds = Files.writeString(tmp.resolve("credentials"), "[ember-admin]\naws_access_key_id = "
                + Stub.CREDENTIALS.accessKeyId() + "\naws_secret_access_key = " + Stub.CREDENTIALS.secretAccessKey() + "\n");
        stub.json("GET", "/ember/v1/whoami", 200, "{\"tenantId\":\"000000000000\",\"name\":\"admin\",\"accessKeyId\":\"AKID\",\"admin\":true}");
        Map<String, String> env = Map.of("HOME", tmp.toString(), "EMBER_DATA_DIR", tmp.resolve("none").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", creds.toString());

        Cli r = Cli.runWithEnvOnly(env, "whoami", "--endpoint-url", stub.url(), "--profile", "ember-admin", "--region", "eu-west-1");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(Output.MAPPER.readTree(r.out).get("admin").asBoolean()).isTrue();
        assertThat(stub.last().signatureError()).isNull();
        assertThat(stub.last().header("Authorization")).contains("/eu-west-1/lambda/aws4_request");

        // The server's own file, found through EMBER_DATA_DIR with no profile named; region defaults to local.
        Files.createDirectories(tmp.resolve("data"));
        Files.copy(creds, tmp.resolve("data/credentials"));
        Cli local = Cli.runWithEnvOnly(Map.of("HOME", tmp.toString(), "EMBER_DATA_DIR", tmp.resolve("data").toString()),
                "whoami", "--endpoint-url", stub.url(), "--output", "text");
        assertThat(local.exit).as(local.toString()).isZero();
        assertThat(local.out).isEqualTo("AKID\ttrue\tadmin\t000000000000\n");
        assertThat(stub.last().header("Authorization")).contains("/local/lambda/aws4_request");
    }

    @Test
    void noKeysAnywhere_saysWhereItLookedAndSendsNothing() {
        Cli r = Cli.runWithEnvOnly(Map.of("HOME", tmp.toString(), "EMBER_DATA_DIR", tmp.toString()),
                "list-tenants", "--endpoint-url", stub.url());
        assertThat(r.exit).isEqualTo(255);
        assertThat(r.err).contains("No Ember credentials found").contains("AWS_ACCESS_KEY_ID")
                .contains(tmp.resolve(".aws/credentials").toString()).contains(tmp.resolve("credentials").toString());
        assertThat(stub.seen).isEmpty();
    }

    @Test
    void aRefusedSignatureIsAServiceError() {
        Cli r = Cli.runWithEnvOnly(Map.of("AWS_ACCESS_KEY_ID", Stub.CREDENTIALS.accessKeyId(), "AWS_SECRET_ACCESS_KEY", "wrong"),
                "whoami", "--endpoint-url", stub.url());
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).startsWith("An error occurred (InvalidSignatureException): ");
    }

    @Test
    void tenantVerbsSendTheirBodiesAndPrintTheAnswers() throws Exception {
        stub.capture("POST", "/ember/v1/tenants", 200, TENANT)
                .capture("PATCH", "/ember/v1/tenants/123456789012", 200, TENANT)
                .json("GET", "/ember/v1/tenants/123456789012", 200, TENANT)
                .json("DELETE", "/ember/v1/tenants/123456789012", 200, "{}")
                .on("GET", "/ember/v1/tenants", ex -> Stub.send(ex, 200, "application/json", Stub.query(ex, "nextToken") == null
                        ? "{\"tenants\":[" + TENANT + "],\"nextToken\":\"p2\"}" : "{\"tenants\":[" + TENANT.replace("team", "other") + "]}"))
                .json("POST", "/ember/v1/tenants/123456789012/access-keys", 200,
                        "{\"accessKeyId\":\"AKIDNEW\",\"secretAccessKey\":\"shown-once\",\"status\":\"ACTIVE\",\"createdAt\":1764417600}")
                .json("GET", "/ember/v1/tenants/123456789012/access-keys", 200,
                        "{\"accessKeys\":[{\"accessKeyId\":\"AKIDNEW\",\"status\":\"ACTIVE\",\"createdAt\":1764417600}]}")
                .json("DELETE", "/ember/v1/tenants/123456789012/access-keys/AKIDNEW", 200, "{}");
        String url = stub.url();

        Cli created = Cli.run("create-tenant", "--endpoint-url", url, "--name", "team", "--quotas", "maxRunningMicrovms=10,maxSuspendedBytes=10737418240");
        assertThat(created.exit).as(created.toString()).isZero();
        assertThat(stub.bodyOf("POST", "/ember/v1/tenants"))
                .isEqualTo("{\"name\":\"team\",\"quotas\":{\"maxRunningMicrovms\":10,\"maxSuspendedBytes\":10737418240}}");
        assertThat(Output.MAPPER.readTree(created.out).get("createdAt").asText()).isEqualTo("2025-11-29T12:00:00Z");

        assertThat(Cli.run("update-tenant", "--endpoint-url", url, "--tenant-id", "123456789012", "--quotas", "{\"maxRunningVcpus\":4}").exit).isZero();
        assertThat(stub.bodyOf("PATCH", "/ember/v1/tenants/123456789012")).isEqualTo("{\"quotas\":{\"maxRunningVcpus\":4}}");
        assertThat(Cli.run("update-tenant", "--endpoint-url", url, "--tenant-id", "123456789012", "--quotas",
                "requestsPerSecond=5,requestBurst=10,maxUploads=3,maxUploadBytes=1000").exit).isZero();
        assertThat(stub.bodyOf("PATCH", "/ember/v1/tenants/123456789012")).isEqualTo(
                "{\"quotas\":{\"requestsPerSecond\":5,\"requestBurst\":10,\"maxUploads\":3,\"maxUploadBytes\":1000}}");
        assertThat(Cli.run("update-tenant", "--endpoint-url", url, "--tenant-id", "123456789012", "--quotas", "maxRunningVcpus").exit).isEqualTo(2);

        Cli list = Cli.run("list-tenants", "--endpoint-url", url, "--output", "table");
        assertThat(list.exit).as(list.toString()).isZero();
        assertThat(list.out).contains("TENANTS").contains("| 123456789012 | team ").contains("| 123456789012 | other");

        assertThat(Cli.run("get-tenant", "--endpoint-url", url, "--tenant-id", "123456789012").out).contains("\"name\": \"team\"");
        assertThat(Cli.run("delete-tenant", "--endpoint-url", url, "--tenant-id", "123456789012").out).isEmpty();

        Cli key = Cli.run("create-access-key", "--endpoint-url", url, "--tenant-id", "123456789012");
        assertThat(Output.MAPPER.readTree(key.out).get("secretAccessKey").asText()).isEqualTo("shown-once");
        assertThat(Cli.run("list-access-keys", "--endpoint-url", url, "--tenant-id", "123456789012").out)
                .contains("\"accessKeys\"").contains("AKIDNEW").doesNotContain("secretAccessKey");
        Cli revoked = Cli.run("delete-access-key", "--endpoint-url", url, "--tenant-id", "123456789012", "--access-key-id", "AKIDNEW");
        assertThat(revoked.exit).as(revoked.toString()).isZero();
        assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsOnlyNulls();
    }

    @Test
    void putSecretReadsTheValueFromStdinOrAFileNeverFromArguments() throws Exception {
        String path = "/ember/v1/secrets/db";
        stub.capture("PUT", path, 200, "{\"name\":\"db\",\"arn\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:db\"}");

        Cli r = Cli.run(new ByteArrayInputStream("p@ss w0rd\n".getBytes(StandardCharsets.UTF_8)), Map.of(),
                "put-secret", "--endpoint-url", stub.url(), "--name", "db", "--description", "the db");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(stub.bodyOf("PUT", path)).isEqualTo("{\"value\":\"p@ss w0rd\",\"description\":\"the db\"}");
        assertThat(r.out).contains("\"arn\"").doesNotContain("p@ss");

        Path file = Files.writeString(tmp.resolve("v"), "line1\nline2\n");
        assertThat(Cli.run("put-secret", "--endpoint-url", stub.url(), "--name", "db", "--value-file", file.toString()).exit).isZero();
        assertThat(stub.bodyOf("PUT", path)).isEqualTo("{\"value\":\"line1\\nline2\"}");

        Cli empty = Cli.run("put-secret", "--endpoint-url", stub.url(), "--name", "db");
        assertThat(empty.exit).isEqualTo(2);
        assertThat(empty.err).contains("the secret's value is empty");
        assertThat(Cli.run("put-secret", "--endpoint-url", stub.url(), "--name", "db", "--value", "x").exit).isEqualTo(2);
        assertThat(Cli.run("put-secret", "--help").out.replaceAll("\\s+", " ")).contains("never from the command line");
    }

    @Test
    void secretsRolesEventsAndUsage() throws Exception {
        String vm = "mvm-0123456789abcdef01234567";
        stub.json("GET", "/ember/v1/secrets", 200, "{\"secrets\":[{\"name\":\"db\"},{\"name\":\"gh\"}]}")
                .json("GET", "/ember/v1/secrets/db", 200, "{\"name\":\"db\"}")
                .json("DELETE", "/ember/v1/secrets/db", 200, "{}")
                .capture("PUT", "/ember/v1/roles/ci", 200, "{\"name\":\"ci\",\"arn\":\"arn:aws:iam::000000000000:role/ci\",\"secrets\":[\"db\",\"gh\"]}")
                .json("GET", "/ember/v1/roles", 200, "{\"roles\":[{\"name\":\"ci\"}]}")
                .json("GET", "/ember/v1/roles/ci", 200, "{\"name\":\"ci\"}")
                .json("DELETE", "/ember/v1/roles/ci", 200, "{}")
                .json("GET", "/ember/v1/events", 200, "{\"events\":[{\"at\":1764417600.5,\"microvmId\":\"" + vm
                        + "\",\"type\":\"TRANSITION\",\"fromState\":\"PENDING\",\"toState\":\"RUNNING\",\"cause\":\"BOOT\"}]}")
                .json("GET", "/ember/v1/usage", 200, "{\"granularity\":\"hour\",\"total\":{\"runningSeconds\":5,\"price\":0.0000562220}}")
                .capture("POST", "/2025-09-09/microvms", 200, "{\"microvmId\":\"" + vm + "\",\"state\":\"PENDING\"}")
                .on("POST", "/ember/v1/microvms/" + vm + "/exec", ex -> {
                    stub.bodies.put("exec", new String(Stub.body(ex), StandardCharsets.UTF_8));
                    OutputStream out = Stub.startStream(ex);
                    Stub.line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
                });
        String url = stub.url();

        assertThat(Cli.run("list-secrets", "--endpoint-url", url, "--output", "text").out).isEqualTo("SECRETS\tdb\nSECRETS\tgh\n");
        assertThat(Cli.run("get-secret", "--endpoint-url", url, "--name", "db").exit).isZero();
        assertThat(Cli.run("delete-secret", "--endpoint-url", url, "--name", "db").exit).isZero();

        assertThat(Cli.run("put-role", "--endpoint-url", url, "--name", "ci", "--secrets", "db,gh").exit).isZero();
        assertThat(stub.bodyOf("PUT", "/ember/v1/roles/ci")).isEqualTo("{\"secrets\":[\"db\",\"gh\"]}");
        assertThat(Cli.run("list-roles", "--endpoint-url", url).out).contains("\"roles\"");
        assertThat(Cli.run("get-role", "--endpoint-url", url, "--name", "ci").exit).isZero();
        assertThat(Cli.run("delete-role", "--endpoint-url", url, "--name", "ci").exit).isZero();

        assertThat(Cli.run("run-microvm", "--endpoint-url", url, "--image-identifier", "busybox",
                "--execution-role-arn", "arn:aws:iam::000000000000:role/ci").exit).isZero();
        assertThat(stub.bodyOf("POST", "/2025-09-09/microvms")).contains("\"executionRoleArn\":\"arn:aws:iam::000000000000:role/ci\"");
        Cli exec = Cli.run("exec", vm, "--endpoint-url", url, "--secret-env", "DB_PASSWORD=db", "--secret-env", "GH=gh", "--", "env");
        assertThat(exec.exit).as(exec.toString()).isZero();
        assertThat(Output.MAPPER.readTree(stub.bodies.get("exec")).get("secretEnvironment").toString())
                .isIn("{\"DB_PASSWORD\":\"db\",\"GH\":\"gh\"}", "{\"GH\":\"gh\",\"DB_PASSWORD\":\"db\"}");

        Cli events = Cli.run("list-events", "--endpoint-url", url, "--microvm-id", vm, "--page-size", "10", "--output", "table");
        assertThat(events.exit).as(events.toString()).isZero();
        assertThat(stub.last().rawQuery()).isEqualTo("microvmId=" + vm + "&maxResults=10");
        assertThat(events.out).contains("EVENTS").contains("RUNNING").contains("BOOT");

        Cli usage = Cli.run("get-usage", "--endpoint-url", url, "--tenant-id", "123456789012", "--from", "2026-11-29T00:00:00Z",
                "--granularity", "hour");
        assertThat(usage.exit).as(usage.toString()).isZero();
        assertThat(stub.last().rawQuery()).isEqualTo("from=2026-11-29T00%3A00%3A00Z&granularity=hour&tenantId=123456789012");
        assertThat(usage.out).contains("\"runningSeconds\": 5").contains("\"price\": 0.000056222");
        assertThat(Cli.run("get-usage", "--endpoint-url", url, "--granularity", "week").exit).isEqualTo(2);
        assertThat(stub.seen).extracting(Stub.Seen::signatureError).containsOnlyNulls();
    }

    @Test
    void shutdownAsksTheServerToEndEveryTenantsMicrovms() throws Exception {
        stub.json("POST", "/ember/v1/shutdown", 200, "{\"terminatedMicrovmIds\":[\"mvm-a\",\"mvm-b\"],\"failedMicrovmIds\":[]}");
        Cli r = Cli.run("shutdown", "--endpoint-url", stub.url());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(Output.MAPPER.readTree(r.out).get("terminatedMicrovmIds")).hasSize(2);
        assertThat(stub.last().method()).isEqualTo("POST");
        assertThat(stub.last().signatureError()).isNull();
    }
}
