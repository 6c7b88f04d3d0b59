package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MicrovmOperationsTest {
    static final String VM = "{\"microvmId\":\"mvm-0123456789abcdef01234567\",\"state\":\"PENDING\","
            + "\"endpoint\":\"http://127.0.0.1:1\",\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:busybox\","
            + "\"imageVersion\":\"1\",\"maximumDurationInSeconds\":600,\"startedAt\":1767225600.25,"
            + "\"idlePolicy\":{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":30,\"autoResumeEnabled\":true},"
            + "\"someFutureField\":{\"x\":1}}";

    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client(b -> b.endpoint(stub.url() + "/"));

    @Test
    void runMicrovm_sendsModelFieldsAndParsesAnswer() throws Exception {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        stub.on("POST", "/2025-09-09/microvms", ex -> {
            sent.set(Json.MAPPER.readTree(Stub.body(ex)));
            Stub.send(ex, 200, "application/json", VM);
        });

        Microvm vm = client.runMicrovm(RunMicrovmRequest.of("busybox").withMaximumDurationInSeconds(600)
                .withIdlePolicy(new IdlePolicy(60, 30, true)).withRunHookPayload("{\"tenant\":\"t-1\"}"));

        assertThat(stub.last().header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.get().get("imageIdentifier").asText()).isEqualTo("busybox");
        assertThat(sent.get().get("maximumDurationInSeconds").asInt()).isEqualTo(600);
        assertThat(sent.get().get("idlePolicy").get("autoResumeEnabled").asBoolean()).isTrue();
        assertThat(sent.get().get("clientToken").asText()).hasSize(36);
        assertThat(sent.get().get("runHookPayload").asText()).isEqualTo("{\"tenant\":\"t-1\"}");
        assertThat(sent.get().has("imageVersion")).as("nulls are left out").isFalse();
        assertThat(vm.microvmId()).isEqualTo("mvm-0123456789abcdef01234567");
        assertThat(vm.state()).isEqualTo(MicrovmState.PENDING);
        assertThat(vm.startedAt()).isEqualTo(Instant.ofEpochSecond(1767225600L, 250_000_000));
        assertThat(vm.idlePolicy()).isEqualTo(new IdlePolicy(60, 30, true));
        assertThat(vm.terminatedAt()).isNull();
    }

    @Test
    void getMicrovm_encodesArnAsOneSegment_andToleratesUnknownState() {
        String arn = "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-0123456789abcdef01234567";
        String raw = "/2025-09-09/microvms/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3Amvm-0123456789abcdef01234567";
        stub.json("GET", raw, 200, VM.replace("PENDING", "HIBERNATING").replace("1767225600.25", "1767225600"));

        Microvm vm = client.getMicrovm(arn);

        assertThat(vm.state()).isEqualTo(MicrovmState.UNKNOWN);
        assertThat(vm.startedAt()).isEqualTo(Instant.ofEpochSecond(1767225600L));
    }

    @Test
    void terminateMicrovm_deletes() {
        stub.json("DELETE", "/2025-09-09/microvms/mvm-1", 200, "{}");
        client.terminateMicrovm("mvm-1");
        assertThat(stub.last().method()).isEqualTo("DELETE");
    }

    @Test
    void listAllMicrovms_followsTokensLazily() {
        stub.on("GET", "/2025-09-09/microvms", ex -> {
            String q = ex.getRequestURI().getRawQuery();
            String token = q != null && q.contains("nextToken=") ? q.replaceAll(".*nextToken=([^&]*).*", "$1") : "";
            String page = switch (token) {
                case "" -> items("a", "b") + ",\"nextToken\":\"t/1\"";
                case "t%2F1" -> items("c", "d") + ",\"nextToken\":\"t2\"";
                case "t2" -> items("e");
                default -> throw new IllegalStateException("bad token " + token);
            };
            Stub.send(ex, 200, "application/json", page + "}");
        });

        List<String> ids = client.listAllMicrovms(ListMicrovmsRequest.all().withMaxResults(2).withImageIdentifier("busybox"))
                .map(MicrovmItem::microvmId).toList();

        assertThat(ids).containsExactly("a", "b", "c", "d", "e");
        assertThat(stub.seen).hasSize(3);
        assertThat(stub.seen.get(0).rawQuery()).isEqualTo("maxResults=2&imageIdentifier=busybox");
        assertThat(stub.seen.get(1).rawQuery()).isEqualTo("maxResults=2&nextToken=t%2F1&imageIdentifier=busybox");
        assertThat(client.listAllMicrovms(ListMicrovmsRequest.all()).limit(1).count()).isEqualTo(1);
        assertThat(stub.seen).as("a stream stopped early fetches no more pages").hasSize(4);
    }

    @Test
    void managedImages_andVersions() {
        stub.json("GET", "/2025-09-09/managed-microvm-images", 200,
                "{\"items\":[{\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:busybox\",\"createdAt\":1.5}]}");
        stub.json("GET", "/2025-09-09/managed-microvm-images/busybox/versions", 200,
                "{\"items\":[{\"imageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:busybox\",\"imageVersion\":\"1\","
                        + "\"status\":\"AVAILABLE\",\"createdAt\":\"2026-01-01T00:00:00Z\"}]}");

        ListManagedMicrovmImagesResponse images = client.listManagedMicrovmImages();
        ListManagedMicrovmImageVersionsResponse versions = client.listManagedMicrovmImageVersions("busybox", 10, null);

        assertThat(images.items().get(0).createdAt()).isEqualTo(Instant.ofEpochSecond(1, 500_000_000));
        assertThat(images.nextToken()).isNull();
        assertThat(versions.items().get(0).imageVersion()).isEqualTo("1");
        assertThat(versions.items().get(0).createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(stub.last().rawQuery()).isEqualTo("maxResults=10");
    }

    @Test
    void waitUntilRunning_pollsUntilRunning() {
        int[] calls = {0};
        stub.on("GET", "/2025-09-09/microvms/mvm-1", ex ->
                Stub.send(ex, 200, "application/json", ++calls[0] < 3 ? VM : VM.replace("PENDING", "RUNNING")));
        assertThat(client.waitUntilRunning("mvm-1", java.time.Duration.ofSeconds(10)).state()).isEqualTo(MicrovmState.RUNNING);
        assertThat(calls[0]).isEqualTo(3);
    }

    @Test
    void waitUntilRunning_failsOnTermination_withReason() {
        stub.json("GET", "/2025-09-09/microvms/mvm-1", 200,
                VM.replace("PENDING", "TERMINATED").replace("\"imageVersion\"", "\"stateReason\":\"VMM process exited\",\"imageVersion\""));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> client.waitUntilRunning("mvm-1", java.time.Duration.ofSeconds(10))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("TERMINATED: VMM process exited");
    }

    @Test
    void suspendAndResume_postToTheModelsPaths() {
        stub.json("POST", "/2025-09-09/microvms/mvm-1/suspend", 200, "{}");
        stub.json("POST", "/2025-09-09/microvms/mvm-1/resume", 200, "{}");

        client.suspendMicrovm("mvm-1");
        assertThat(stub.last().method()).isEqualTo("POST");
        assertThat(stub.last().rawPath()).isEqualTo("/2025-09-09/microvms/mvm-1/suspend");
        client.resumeMicrovm("mvm-1");
        assertThat(stub.last().rawPath()).isEqualTo("/2025-09-09/microvms/mvm-1/resume");
    }

    @Test
    void suspend_conflictIsTyped() {
        stub.on("POST", "/2025-09-09/microvms/mvm-1/suspend",
                ex -> Stub.error(ex, 409, "ConflictException", "microVM mvm-1 is TERMINATED"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> client.suspendMicrovm("mvm-1")))
                .isInstanceOf(ConflictException.class).hasMessage("microVM mvm-1 is TERMINATED");
    }

    @Test
    void waitUntilState_pollsThroughSuspending() {
        int[] calls = {0};
        stub.on("GET", "/2025-09-09/microvms/mvm-1", ex -> Stub.send(ex, 200, "application/json",
                VM.replace("PENDING", ++calls[0] == 1 ? "RUNNING" : calls[0] == 2 ? "SUSPENDING" : "SUSPENDED")));
        assertThat(client.waitUntilState("mvm-1", MicrovmState.SUSPENDED, java.time.Duration.ofSeconds(10)).state())
                .isEqualTo(MicrovmState.SUSPENDED);
        assertThat(calls[0]).isEqualTo(3);
    }

    @Test
    void waitUntilState_failsWhenTerminated_andTimesOutTyped() {
        stub.json("GET", "/2025-09-09/microvms/mvm-1", 200, VM.replace("PENDING", "TERMINATED")
                .replace("\"imageVersion\"", "\"stateReason\":\"Lifetime of 600 s reached\",\"imageVersion\""));
        stub.json("GET", "/2025-09-09/microvms/mvm-2", 200, VM.replace("PENDING", "SUSPENDED"));

        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> client.waitUntilState("mvm-1", MicrovmState.SUSPENDED, java.time.Duration.ofSeconds(10))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("TERMINATED: Lifetime of 600 s reached, not SUSPENDED");
        assertThat(client.waitUntilState("mvm-1", MicrovmState.TERMINATED, java.time.Duration.ofSeconds(1)).state())
                .isEqualTo(MicrovmState.TERMINATED);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> client.waitUntilState("mvm-2", MicrovmState.RUNNING, java.time.Duration.ZERO)))
                .isInstanceOf(WaiterTimeoutException.class).hasMessageContaining("still SUSPENDED");
    }

    @Test
    void getMicrovm_readsIdlePolicyAsTheServerSendsIt() {
        stub.json("GET", "/2025-09-09/microvms/mvm-1", 200, VM);
        assertThat(client.getMicrovm("mvm-1").idlePolicy()).isEqualTo(new IdlePolicy(60, 30, true));
    }

    @Test
    void health() {
        stub.json("GET", "/ember/v1/health", 200, "{\"status\":\"ok\",\"version\":\"0.1.0\",\"region\":\"eu-west-1\"}");
        assertThat(client.health()).isEqualTo(new Health("ok", "0.1.0", "eu-west-1"));
    }

    private static String items(String... ids) {
        StringBuilder b = new StringBuilder("{\"items\":[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) b.append(',');
            b.append("{\"microvmId\":\"").append(ids[i]).append("\",\"state\":\"RUNNING\",\"startedAt\":1}");
        }
        return b.append(']').toString();
    }
}
