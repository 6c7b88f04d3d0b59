package io.ember.e2e;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official AWS client, {@code @aws-sdk/client-lambda-microvms} from npm, unmodified, pointed at
 * Ember: run, get, list (with its paginator), terminate, and typed errors. bin/test installs it.
 */
class OfficialClientEndToEndTest {

    @Test
    void shouldServeTheOfficialLambdaMicrovmsClientUnchanged() throws Exception {
        Path dir = Path.of("src/test/node").toAbsolutePath();
        assertThat(dir.resolve("node_modules/@aws-sdk/client-lambda-microvms"))
                .as("npm dependencies missing: run `npm ci` in %s (bin/test does)", dir).isDirectory();
        try (EmberTestServer server = EmberTestServer.start()) {
            ProcessBuilder pb = new ProcessBuilder("node", "official-client.mjs").directory(dir.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("EMBER_ENDPOINT", server.endpoint());
            Path log = Files.createTempFile("official-client", ".log");
            pb.redirectOutput(log.toFile());
            Process node = pb.start();
            try {
                boolean done = node.waitFor(5, TimeUnit.MINUTES);
                String output = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(done).as("node did not finish: %s", output).isTrue();
                assertThat(node.exitValue()).as(output).isZero();
                assertThat(output).contains("OFFICIAL-CLIENT OK");
            } finally {
                node.destroyForcibly();
                Files.deleteIfExists(log);
            }
        }
    }
}
