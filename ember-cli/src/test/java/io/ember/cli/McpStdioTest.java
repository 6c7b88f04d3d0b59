package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class McpStdioTest {
    private static final String REQUESTS = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}
            {"jsonrpc":"2.0","method":"notifications/initialized"}
            [{"jsonrpc":"2.0","id":"b","method":"tools/list"}]
            not json at all
            {"jsonrpc":"2.0","id":7,"result":{}}
            """;

    @Test
    void theEndOfInputWaitsUntilEveryRequestReadBeforeItIsAnswered() throws Exception {
        McpStdio stdio = new McpStdio();
        InputStream in = stdio.input(new ByteArrayInputStream(REQUESTS.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream out = stdio.output(written);
        CompletableFuture<byte[]> all = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        while (stdio.unanswered() < 2) Thread.sleep(5); // the requests with ids 1 and "b"; not the notification or the answer
        assertThat(stdio.unanswered()).isEqualTo(2);
        out.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n"
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(stdio.unanswered()).isEqualTo(1);
        assertThat(all).as("end of input held back while \"b\" is unanswered").isNotDone();
        out.write("{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"error\":{\"code\":-32601,\"message\":\"x\"}}".getBytes(StandardCharsets.UTF_8));
        assertThat(stdio.unanswered()).as("counted once flushed").isEqualTo(1);
        out.write('\n');
        out.flush();
        assertThat(new String(all.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(REQUESTS);
        assertThat(stdio.unanswered()).isZero();
    }

    @Test
    void anUnansweredRequestHoldsTheEndOfInputOnlySoLong() throws Exception {
        McpStdio stdio = new McpStdio(Duration.ofMillis(200));
        InputStream in = stdio.input(new ByteArrayInputStream("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}\n"
                .getBytes(StandardCharsets.UTF_8)));
        long t0 = System.nanoTime();
        assertThat(in.readAllBytes()).hasSize(38);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(190));
        assertThat(stdio.unanswered()).isEqualTo(1);
    }
}
