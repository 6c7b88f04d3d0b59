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
        return refusal(json, HookContract.AWS);
    }

    private static String refusal(String json, HookContract contract) {
        try {
            Hooks.parse(JSON.readTree(json), contract);
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
        assertThat(h.timeout(Hook.SUSPEND)).contains(Duration.ofSeconds(1)); // AWS's default for a microVM hook
        assertThat(h.isEnabled(Hook.RESUME)).isFalse();
        assertThat(h.isEnabled(Hook.TERMINATE)).isFalse();
        assertThat(h.timeout(Hook.READY)).contains(Duration.ofSeconds(1));
        assertThat(h.ofMicrovm().enabled().keySet()).containsExactly(Hook.RUN, Hook.SUSPEND);
        assertThat(parse("{}")).isEqualTo(Hooks.NONE);
        assertThat(Hooks.parse(null)).isEqualTo(Hooks.NONE);
        assertThat(parse("{\"microvmHooks\":{\"terminate\":\"ENABLED\"}}").port()).isEqualTo(8080);
        assertThat(h.path(Hook.RUN)).isEqualTo("/aws/lambda-microvms/runtime/v1/run");
        assertThat(h.contract()).isEqualTo(HookContract.AWS);
        assertThat(parse("{\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"validate\":\"ENABLED\"}}").enabled())
                .containsEntry(Hook.READY, Duration.ofSeconds(30)).containsEntry(Hook.VALIDATE, Duration.ofSeconds(30));
        assertThat(parse("{\"microvmImageHooks\":{\"ready\":\"ENABLED\",\"readyTimeoutInSeconds\":3600}}").timeout(Hook.READY))
                .contains(Duration.ofSeconds(3600));
    }

    @Test
    void aVersionStoredBeforeTheMarkerKeepsEmbersFirstContract() throws Exception {
        String json = "{\"port\":9000,\"microvmHooks\":{\"run\":\"ENABLED\",\"terminate\":\"ENABLED\",\"terminateTimeoutInSeconds\":3},"
                + "\"microvmImageHooks\":{\"ready\":\"ENABLED\"}}";
        Hooks old = Hooks.parse(JSON.readTree(json), HookContract.ofMarker(null));
        assertThat(old.contract()).isEqualTo(HookContract.EMBER_2025);
        assertThat(old.path(Hook.RUN)).isEqualTo("/run");
        assertThat(old.path(Hook.VALIDATE)).isEqualTo("/validate");
        assertThat(old.timeout(Hook.RUN)).contains(Duration.ofSeconds(10));
        assertThat(old.timeout(Hook.TERMINATE)).contains(Duration.ofSeconds(3));
        assertThat(old.timeout(Hook.READY)).contains(Duration.ofSeconds(10));
        Hooks now = Hooks.parse(JSON.readTree(json), HookContract.ofMarker(HookContract.AWS_MARKER));
        assertThat(now.path(Hook.TERMINATE)).isEqualTo("/aws/lambda-microvms/runtime/v1/terminate");
        assertThat(now.timeout(Hook.RUN)).contains(Duration.ofSeconds(1));
        assertThat(now.timeout(Hook.READY)).contains(Duration.ofSeconds(30));
        assertThat(HookContract.AWS.marker()).isEqualTo("aws");
        assertThat(HookContract.EMBER_2025.marker()).isNull();
        assertThatThrownBy(() -> HookContract.ofMarker("v9")).isInstanceOf(IllegalStateException.class);
        // Ember's first contract capped image hooks at 60 s, as it did then
        assertThat(refusal(json.replace("\"ENABLED\"}}", "\"ENABLED\",\"readyTimeoutInSeconds\":61}}"), HookContract.EMBER_2025))
                .isEqualTo("hooks.microvmImageHooks.readyTimeoutInSeconds must be between 1 and 60");
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
        assertThat(refusal("{\"microvmImageHooks\":{\"readyTimeoutInSeconds\":3601}}"))
                .isEqualTo("hooks.microvmImageHooks.readyTimeoutInSeconds must be between 1 and 3600");
        assertThat(refusal("{\"microvmImageHooks\":{\"validateTimeoutInSeconds\":0}}"))
                .isEqualTo("hooks.microvmImageHooks.validateTimeoutInSeconds must be between 1 and 3600");
        assertThatThrownBy(() -> new Hooks(0, java.util.Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripsTheStoredForm() throws Exception {
        Hooks h = parse("{\"port\":8081,\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":3,\"terminate\":\"ENABLED\"}}");
        assertThat(h.toJson()).isEqualTo("{\"port\":8081,\"contract\":\"aws\",\"run\":3,\"terminate\":1}");
        assertThat(Hooks.fromJson(h.toJson())).isEqualTo(h);
        // a microVM stored before the marker: Ember's first contract, as its image version was
        Hooks old = Hooks.fromJson("{\"port\":8081,\"run\":3,\"terminate\":10}");
        assertThat(old.contract()).isEqualTo(HookContract.EMBER_2025);
        assertThat(old.path(Hook.RUN)).isEqualTo("/run");
        assertThat(old.toJson()).isEqualTo("{\"port\":8081,\"run\":3,\"terminate\":10}");
        assertThat(Hooks.fromJson(null)).isEqualTo(Hooks.NONE);
    }
}
