package io.ember.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestSocket;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

/**
 * The hooks' reader of an application's answer (docs/hooks.md), fed any bytes as that answer. The guest's connection
 * is in memory (only the answer's bytes matter here; HookCallTest covers the real connection). Properties: the call
 * always ends in an Outcome that is not an internal error (what an unexpected exception becomes), ok exactly for a
 * 2xx status, with a message of printable ASCII that an event can carry; and no more than MAX_ANSWER bytes are read.
 */
class HookAnswerFuzzTest {
    /** The reader's buffer may take this much past the bytes it uses. */
    private static final int READ_AHEAD = 8192;

    @FuzzTest(maxDuration = "10s")
    void anyAnswer(byte[] answer) {
        CountingInput in = new CountingInput(answer);
        GuestSocket socket = new GuestSocket() {
            @Override
            public InputStream input() {
                return in;
            }

            @Override
            public OutputStream output() {
                return OutputStream.nullOutputStream();
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
        GuestAgent agent = (GuestAgent) Proxy.newProxyInstance(GuestAgent.class.getClassLoader(),
                new Class<?>[] {GuestAgent.class}, (proxy, method, args) -> {
                    if (method.getName().equals("connectTcp")) return socket;
                    throw new UnsupportedOperationException(method.getName());
                });

        HookCall.Outcome o = HookCall.post(agent, 8080, "/run", Map.of("X-Ember-Hook", "run"), new byte[0],
                Duration.ofSeconds(30));

        assertThat(o.message()).doesNotStartWith("internal error").doesNotStartWith("timed out");
        assertThat(o.ok()).isEqualTo(o.status() / 100 == 2);
        assertThat(o.status()).isBetween(0, 999);
        assertThat(o.message().chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as("printable: %s", o.message()).isTrue();
        assertThat(in.read).isLessThanOrEqualTo(HookCall.MAX_ANSWER + READ_AHEAD);
    }

    /** Counts what the reader took; a bulk read counts what it was given. */
    private static final class CountingInput extends InputStream {
        private final ByteArrayInputStream in;
        long read;

        CountingInput(byte[] b) {
            in = new ByteArrayInputStream(b);
        }

        @Override
        public int read() {
            int c = in.read();
            if (c >= 0) read++;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = in.read(b, off, len);
            if (n > 0) read += n;
            return n;
        }
    }
}
