package io.ember.cli;

import io.ember.sdk.Stub;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MicrovmCommandsTest {
    static final String VM = "{\"microvmId\":\"mvm-0123456789abcdef01234567\",\"state\":\"PENDING\","
            + "\"endpoint\":\"http://127.0.0.1:1\",\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:busybox\","
            + "\"imageVersion\":\"1\",\"maximumDurationInSeconds\":600,\"startedAt\":1767225600.25}";

    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void runMicrovm_printsPrettyJsonWithIsoTimestamps() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", "/2025-09-09/microvms", ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", VM);
        });

        Cli r = Cli.run("run-microvm", "--endpoint-url", stub.url(), "--image-identifier", "busybox",
                "--image-version", "1", "--maximum-duration-in-seconds", "600", "--client-token", "tok",
                "--idle-policy", "maxIdleDurationSeconds=60,suspendedDurationSeconds=0,autoResumeEnabled=false");

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).contains("    \"microvmId\": \"mvm-0123456789abcdef01234567\",")
                .contains("\"startedAt\": \"2026-01-01T00:00:00.250Z\"");
        assertThat(Output.MAPPER.readTree(r.out).get("state").asText()).isEqualTo("PENDING");
        assertThat(sent.get().toString()).isEqualTo("{\"imageIdentifier\":\"busybox\",\"imageVersion\":\"1\","
                + "\"idlePolicy\":{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":0,\"autoResumeEnabled\":false},"
                + "\"maximumDurationInSeconds\":600,\"clientToken\":\"tok\"}");
    }

    @Test
    void runMicrovm_acceptsIdlePolicyJson_andRejectsGarbageAsUsage() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", "/2025-09-09/microvms", ex -> {
            sent.set(Output.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", VM);
        });
        assertThat(Cli.run("--endpoint-url", stub.url(), "run-microvm", "--image-identifier", "debian",
                "--idle-policy", "{\"maxIdleDurationSeconds\":5}", "--run-hook-payload", "{\"tenant\":\"t-1\"}").exit).isZero();
        assertThat(sent.get().get("idlePolicy").toString()).isEqualTo("{\"maxIdleDurationSeconds\":5}");
        assertThat(sent.get().get("runHookPayload").asText()).isEqualTo("{\"tenant\":\"t-1\"}");

        Cli bad = Cli.run("--endpoint-url", stub.url(), "run-microvm", "--image-identifier", "debian", "--idle-policy", "nonsense");
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("Invalid value for --idle-policy");
    }

    @Test
    void serviceError_printsLikeTheAwsCli_andExits254() {
        stub.on("GET", "/2025-09-09/microvms/mvm-nope",
                ex -> Stub.error(ex, 404, "ResourceNotFoundException", "microVM mvm-nope not found"));
        Cli r = Cli.run("get-microvm", "--microvm-identifier", "mvm-nope", "--endpoint-url", stub.url());
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("An error occurred (ResourceNotFoundException): microVM mvm-nope not found\n");
    }

    @Test
    void usageErrors_exit2() {
        assertThat(Cli.run("run-microvm").exit).isEqualTo(2);
        assertThat(Cli.run("run-microvm").err).contains("--image-identifier");
        assertThat(Cli.run("no-such-verb").exit).isEqualTo(2);
        assertThat(Cli.run().exit).isEqualTo(2);
        assertThat(Cli.run("--output", "yaml", "health").exit).isEqualTo(2);
        assertThat(Cli.run("--endpoint-url", "not a url", "health").exit).isEqualTo(2);
    }

    @Test
    void unreachableServer_exits255() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli r = Cli.run("health", "--endpoint-url", "http://127.0.0.1:" + port);
        assertThat(r.exit).isEqualTo(255);
        assertThat(r.err).startsWith("Could not connect to the endpoint URL: \"http://127.0.0.1:" + port);
    }

    @Test
    void endpoint_comesFromEnvironmentWhenNotGiven() {
        stub.json("GET", "/ember/v1/health", 200, "{\"status\":\"ok\",\"version\":\"0.1.0\"}");
        Cli r = Cli.run(new ByteArrayInputStream(new byte[0]), Map.of("EMBER_ENDPOINT", stub.url()), "health");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).contains("\"status\": \"ok\"");
    }

    @Test
    void terminate_printsNothing() {
        stub.json("DELETE", "/2025-09-09/microvms/mvm-1", 200, "{}");
        Cli r = Cli.run("terminate-microvm", "--microvm-identifier", "mvm-1", "--endpoint-url", stub.url());
        assertThat(r.exit).isZero();
        assertThat(r.out).isEmpty();
    }

    @Test
    void suspendAndResume_postAndPrintNothing() {
        stub.json("POST", "/2025-09-09/microvms/mvm-1/suspend", 200, "{}");
        stub.json("POST", "/2025-09-09/microvms/mvm-1/resume", 200, "{}");
        Cli s = Cli.run("suspend-microvm", "--microvm-identifier", "mvm-1", "--endpoint-url", stub.url());
        assertThat(s.exit).as(s.toString()).isZero();
        assertThat(s.out).isEmpty();
        assertThat(stub.last().method()).isEqualTo("POST");
        Cli r = Cli.run("resume-microvm", "--microvm-identifier", "mvm-1", "--endpoint-url", stub.url());
        assertThat(r.exit).isZero();
        assertThat(stub.last().rawPath()).isEqualTo("/2025-09-09/microvms/mvm-1/resume");
    }

    @Test
    void resume_conflict_exits254() {
        stub.on("POST", "/2025-09-09/microvms/mvm-1/resume",
                ex -> Stub.error(ex, 409, "ConflictException", "microVM mvm-1 is RUNNING, not SUSPENDED"));
        Cli r = Cli.run("resume-microvm", "--microvm-identifier", "mvm-1", "--endpoint-url", stub.url());
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).contains("(ConflictException): microVM mvm-1 is RUNNING, not SUSPENDED");
    }

    @Test
    void runMicrovm_maximumDurationOutOfRange_isAUsageError_beforeAnyCall() {
        for (String bad : new String[] {"0", "28801", "-5"}) {
            Cli r = Cli.run("run-microvm", "--endpoint-url", stub.url(), "--image-identifier", "busybox",
                    "--maximum-duration-in-seconds", bad);
            assertThat(r.exit).isEqualTo(2);
            assertThat(r.err).contains("--maximum-duration-in-seconds must be between 1 and 28800 (8 hours), got " + bad);
        }
        assertThat(stub.seen).isEmpty();
    }

    @Test
    void runMicrovm_idlePolicyShorthand_unknownKey_isAUsageError() {
        Cli r = Cli.run("run-microvm", "--endpoint-url", stub.url(), "--image-identifier", "busybox",
                "--idle-policy", "maxIdleSeconds=60");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Invalid value for --idle-policy: Unrecognized field \"maxIdleSeconds\"");
    }

    @Test
    void getMicrovm_printsIdlePolicyAsTheServerReturnsIt() throws Exception {
        stub.json("GET", "/2025-09-09/microvms/mvm-1", 200, VM.replace("PENDING", "SUSPENDED").replace("\"startedAt\"",
                "\"idlePolicy\":{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":3600,\"autoResumeEnabled\":true},\"startedAt\""));
        Cli r = Cli.run("get-microvm", "--microvm-identifier", "mvm-1", "--endpoint-url", stub.url());
        JsonNode j = Output.MAPPER.readTree(r.out);
        assertThat(j.get("state").asText()).isEqualTo("SUSPENDED");
        assertThat(j.get("idlePolicy").toString())
                .isEqualTo("{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":3600,\"autoResumeEnabled\":true}");
    }

    @Test
    void listMicrovms_fetchesAllPagesByDefault() throws Exception {
        pagedList();
        Cli r = Cli.run("list-microvms", "--endpoint-url", stub.url(), "--image-identifier", "busybox");
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode j = Output.MAPPER.readTree(r.out);
        assertThat(j.get("items")).hasSize(5);
        assertThat(j.has("NextToken")).isFalse();
        assertThat(stub.seen.get(0).rawQuery()).isEqualTo("imageIdentifier=busybox");
    }

    @Test
    void listMicrovms_maxItemsStopsWithNextToken_andStartingTokenResumes() throws Exception {
        pagedList();
        Cli first = Cli.run("list-microvms", "--endpoint-url", stub.url(), "--max-items", "2");
        JsonNode j = Output.MAPPER.readTree(first.out);
        assertThat(j.get("items")).hasSize(2);
        assertThat(j.get("NextToken").asText()).isEqualTo("2");
        assertThat(stub.last().rawQuery()).isEqualTo("maxResults=2");

        Cli rest = Cli.run("list-microvms", "--endpoint-url", stub.url(), "--starting-token", "2", "--page-size", "2");
        assertThat(Output.MAPPER.readTree(rest.out).get("items").findValuesAsText("microvmId")).containsExactly("mvm-c", "mvm-d", "mvm-e");
    }

    @Test
    void listMicrovms_textOutput() {
        pagedList();
        Cli r = Cli.run("list-microvms", "--endpoint-url", stub.url(), "--output", "text", "--max-items", "1");
        assertThat(r.out).isEqualTo("1\nITEMS\tmvm-a\t1970-01-01T00:00:01Z\tRUNNING\n");
    }

    @Test
    void managedImages_andVersions() throws Exception {
        stub.json("GET", "/2025-09-09/managed-microvm-images", 200,
                "{\"items\":[{\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:busybox\",\"createdAt\":0}]}");
        stub.json("GET", "/2025-09-09/managed-microvm-images/debian/versions", 200,
                "{\"items\":[{\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:debian\",\"imageVersion\":\"1\",\"createdAt\":0}]}");
        Cli images = Cli.run("list-managed-microvm-images", "--endpoint-url", stub.url());
        Cli versions = Cli.run("list-managed-microvm-image-versions", "--image-identifier", "debian", "--endpoint-url", stub.url());
        assertThat(Output.MAPPER.readTree(images.out).at("/items/0/imageArn").asText()).endsWith(":busybox");
        assertThat(Output.MAPPER.readTree(versions.out).at("/items/0/imageVersion").asText()).isEqualTo("1");
        assertThat(versions.exit).isZero();
    }

    /** Five microVMs a..e; the token is the index to start from; pages honour maxResults (default 2). */
    private void pagedList() {
        String[] ids = {"a", "b", "c", "d", "e"};
        stub.on("GET", "/2025-09-09/microvms", ex -> {
            Map<String, String> q = new java.util.HashMap<>();
            String raw = ex.getRequestURI().getRawQuery();
            if (raw != null) for (String kv : raw.split("&")) q.put(kv.split("=")[0], kv.split("=")[1]);
            int from = Integer.parseInt(q.getOrDefault("nextToken", "0"));
            int size = Integer.parseInt(q.getOrDefault("maxResults", "2"));
            StringBuilder b = new StringBuilder("{\"items\":[");
            int to = Math.min(ids.length, from + size);
            for (int i = from; i < to; i++) {
                b.append(i > from ? "," : "").append("{\"microvmId\":\"mvm-").append(ids[i])
                        .append("\",\"state\":\"RUNNING\",\"startedAt\":1}");
            }
            b.append("]").append(to < ids.length ? ",\"nextToken\":\"" + to + "\"" : "").append("}");
            Stub.send(ex, 200, "application/json", b.toString());
        });
    }
}
