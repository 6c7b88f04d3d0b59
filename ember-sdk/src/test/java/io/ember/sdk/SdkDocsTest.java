package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the usage example of docs/sdk.md against a stub and checks the doc quotes it verbatim. */
class SdkDocsTest {
    @TempDir Path tmp;

    // tag::usage[]
    static void usage(String endpoint, Path workDir) throws IOException {
        try (EmberClient ember = EmberClient.builder()
                .endpoint(endpoint)                        // e.g. http://127.0.0.1:8080
                .requestTimeout(Duration.ofSeconds(30))    // non-streaming calls only
                .build()) {
            Microvm vm = ember.runMicrovm(RunMicrovmRequest.of("busybox").withMaximumDurationInSeconds(600));
            String id = ember.waitUntilRunning(vm.microvmId(), Duration.ofMinutes(2)).microvmId();

            // Collect everything (each stream capped at 1 MiB) ...
            ExecResult r = ember.execAndWait(id, ExecRequest.shell("echo hello from $(hostname)"), 1 << 20);
            System.out.println(r.stdoutText().strip() + ", exit " + r.exitCode());

            // ... or stream output as it arrives, and exit like a shell would.
            ExecEvent.Exit exit = ember.exec(id, ExecRequest.command("ls", "-l", "/").withEnv("LC_ALL", "C"),
                    ExecHandler.forwardingTo(System.out, System.err));
            System.out.println("status " + exit.shellStatus());

            // Files stream both ways; nothing is held in memory.
            Path notes = Files.writeString(workDir.resolve("notes.txt"), "remember the milk\n");
            ember.uploadFile(id, "/workspace/notes.txt", notes, 0644);
            ember.downloadFile(id, "/workspace/notes.txt", workDir.resolve("copy.txt"));

            ember.listAllMicrovms(ListMicrovmsRequest.all())
                    .forEach(m -> System.out.println(m.microvmId() + " " + m.state()));
            try {
                ember.getMicrovm("mvm-000000000000000000000000");
            } catch (ResourceNotFoundException e) {
                System.out.println(e.errorType() + ": " + e.getMessage());
            }
            ember.terminateMicrovm(id);
        }
    }
    // end::usage[]

    @Test
    void usageExample_runsAgainstTheWireFormat() throws Exception {
        String vm = MicrovmOperationsTest.VM.replace("PENDING", "RUNNING");
        String id = "mvm-0123456789abcdef01234567";
        byte[][] uploaded = new byte[1][];
        try (Stub stub = new Stub()) {
            stub.json("POST", "/2025-09-09/microvms", 200, MicrovmOperationsTest.VM)
                    .json("GET", "/2025-09-09/microvms/" + id, 200, vm)
                    .json("GET", "/2025-09-09/microvms", 200, "{\"items\":[" + vm + "]}")
                    .json("DELETE", "/2025-09-09/microvms/" + id, 200, "{}")
                    .on("GET", "/2025-09-09/microvms/mvm-000000000000000000000000",
                            ex -> Stub.error(ex, 404, "ResourceNotFoundException", "no such microVM"))
                    .on("POST", "/ember/v1/microvms/" + id + "/exec", ex -> {
                        OutputStream out = Stub.startStream(ex);
                        Stub.line(out, "{\"type\":\"stdout\",\"data\":\"" + Stub.b64("hello from vm\n") + "\"}");
                        Stub.line(out, "{\"type\":\"exit\",\"exitCode\":0,\"signal\":0,\"timedOut\":false}");
                    })
                    .on("PUT", "/ember/v1/microvms/" + id + "/files", ex -> {
                        uploaded[0] = Stub.body(ex);
                        Stub.send(ex, 200, "application/json", "{\"path\":\"/workspace/notes.txt\",\"size\":18}");
                    })
                    .on("GET", "/ember/v1/microvms/" + id + "/files", ex -> {
                        ex.sendResponseHeaders(200, uploaded[0].length);
                        ex.getResponseBody().write(uploaded[0]);
                    });

            usage(stub.url(), tmp);

            assertThat(Files.readString(tmp.resolve("copy.txt"))).isEqualTo("remember the milk\n");
            assertThat(stub.last().method()).isEqualTo("DELETE");
        }
    }

    @Test
    void docsQuoteTheExampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/ember/sdk/SdkDocsTest.java"));
        String snippet = source.substring(source.indexOf("// tag::usage[]\n") + 16, source.indexOf("    // end::usage[]"));
        String dedented = snippet.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(Files.readString(Path.of("../docs/sdk.md"))).contains(dedented);
    }
}
