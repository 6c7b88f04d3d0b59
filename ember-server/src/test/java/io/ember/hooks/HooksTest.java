package io.ember.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.hooks.Hooks.Hook;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Hooks parse(String json) throws Exception {
        return Hooks.parse(JSON.readTree(json));
    }

    private static String refusal(String json) {
        try {
            parse(json);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted " + json);
    }

    @Test
    void readsTheModelsHooksWithDefaults() throws Exception {
        Hooks h = parse("""
                {"port":9000,"microvmHooks":{"run":"ENABLED","runTimeoutInSeconds":5,"suspend":"ENABLED","resume":"DISABLED",
                 "resumeTimeoutInSeconds":60,"unknown":"x"},"microvmImageHooks":{"ready":"ENABLED","readyTimeoutInSeconds":1},
                 "future":{}}""");
        assertThat(h.port()).isEqualTo(9000);
        assertThat(h.timeout(Hook.RUN)).contains(Duration.ofSeconds(5));
        assertThat(h.timeout(Hook.SUSPEND)).contains(Duration.ofSeconds(Hooks.DEFAULT_TIMEOUT_SECONDS));
        assertThat(h.isEnabled(Hook.RESUME)).isFalse();
        assertThat(h.isEnabled(Hook.TERMINATE)).isFalse();
        assertThat(h.timeout(Hook.READY)).contains(Duration.ofSeconds(1));
        assertThat(h.ofMicrovm().enabled().keySet()).containsExactly(Hook.RUN, Hook.SUSPEND);
        assertThat(parse("{}")).isEqualTo(Hooks.NONE);
        assertThat(Hooks.parse(null)).isEqualTo(Hooks.NONE);
        assertThat(parse("{\"microvmHooks\":{\"terminate\":\"ENABLED\"}}").port()).isEqualTo(8080);
        assertThat(Hook.RUN.path()).isEqualTo("/run");
    }

    @Test
    void refusesMalformedHooksNamingTheField() {
        assertThat(refusal("[]")).isEqualTo("hooks must be an object");
        assertThat(refusal("{\"port\":0}")).isEqualTo("hooks.port must be between 1 and 65535");
        assertThat(refusal("{\"port\":65536}")).isEqualTo("hooks.port must be between 1 and 65535");
        assertThat(refusal("{\"port\":\"80\"}")).isEqualTo("hooks.port must be an integer");
        assertThat(refusal("{\"microvmHooks\":true}")).isEqualTo("hooks.microvmHooks must be an object");
        assertThat(refusal("{\"microvmHooks\":{\"run\":\"enabled\"}}")).isEqualTo("hooks.microvmHooks.run must be ENABLED or DISABLED");
        assertThat(refusal("{\"microvmHooks\":{\"suspend\":true}}")).isEqualTo("hooks.microvmHooks.suspend must be ENABLED or DISABLED");
        assertThat(refusal("{\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":61}}"))
                .isEqualTo("hooks.microvmHooks.runTimeoutInSeconds must be between 1 and 60");
        assertThat(refusal("{\"microvmHooks\":{\"terminateTimeoutInSeconds\":0}}"))
                .isEqualTo("hooks.microvmHooks.terminateTimeoutInSeconds must be between 1 and 60");
        assertThat(refusal("{\"microvmHooks\":{\"resumeTimeoutInSeconds\":1.5}}"))
                .isEqualTo("hooks.microvmHooks.resumeTimeoutInSeconds must be an integer");
        assertThat(refusal("{\"microvmImageHooks\":{\"validate\":\"ON\"}}"))
                .isEqualTo("hooks.microvmImageHooks.validate must be ENABLED or DISABLED");
        assertThat(refusal("{\"microvmImageHooks\":{\"readyTimeoutInSeconds\":100}}"))
                .isEqualTo("hooks.microvmImageHooks.readyTimeoutInSeconds must be between 1 and 60");
        assertThatThrownBy(() -> new Hooks(0, java.util.Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripsTheStoredForm() throws Exception {
        Hooks h = parse("{\"port\":8081,\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":3,\"terminate\":\"ENABLED\"}}");
        assertThat(h.toJson()).isEqualTo("{\"port\":8081,\"run\":3,\"terminate\":10}");
        assertThat(Hooks.fromJson(h.toJson())).isEqualTo(h);
        assertThat(Hooks.fromJson(null)).isEqualTo(Hooks.NONE);
    }
}
