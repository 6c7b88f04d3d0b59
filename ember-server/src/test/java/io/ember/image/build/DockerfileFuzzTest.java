package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile parser (lines, words, substitution, the instructions' state), fed any text a tenant can upload.
 * Properties: a Dockerfile parses or is refused with a {@link BuildFailure}, never another exception; and what it
 * parses into stays proportionate to its text (substitution cannot multiply it past the parser's budget).
 */
class DockerfileFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyDockerfile(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Dockerfile df;
        try {
            df = Dockerfile.parse(text, Map.of("BUILD_ARG", "from-the-api"));
        } catch (BuildFailure refused) {
            assertThat(refused.getMessage()).isNotEmpty();
            return;
        }
        assertThat(df.stepCount()).isEqualTo(df.steps().size() + 1);
        assertThat(weight(df)).as("held for a %d-byte Dockerfile", bytes.length).isLessThanOrEqualTo(
                64L * bytes.length + 2 * Words.MAX_SUBSTITUTED + DockerfileParser.MAX_RUN_ENV_ENTRIES);
    }

    // The bounds the property needs, each shown where it matters (found while writing this test; the corpus has the
    // first: crash-substitution-doubling, which without the budget runs the JVM out of memory).

    @Test
    void substitutionThatDoublesAValuePerLineIsRefusedAtTheBudget() {
        String text = "FROM debian\nENV A=abcdefgh\n" + "ENV A=$A$A\n".repeat(40);
        assertThatThrownBy(() -> Dockerfile.parse(text, Map.of())).isInstanceOf(BuildFailure.class)
                .hasMessageContaining("substitutions produce more than 16777216 characters");
    }

    @Test
    void deeplyNestedSubstitutionIsRefusedNotAStackOverflow() {
        String text = "FROM debian\nENV A=" + "${A:-".repeat(100_000) + "x" + "}".repeat(100_000) + "\n";
        assertThatThrownBy(() -> Dockerfile.parse(text, Map.of())).isInstanceOf(BuildFailure.class)
                .hasMessageContaining("substitutions nested deeper than 64");
    }

    @Test
    void runStepsShareTheirEnvironmentUntilEnvOrArgChangesIt() throws Exception {
        Dockerfile df = Dockerfile.parse("FROM debian\nENV A=1\nRUN a\nRUN b\nENV B=2\nRUN c\n", Map.of());
        List<Step.Run> runs = df.steps().stream().filter(Step.Run.class::isInstance).map(Step.Run.class::cast).toList();
        assertThat(runs.get(1).env()).isSameAs(runs.get(0).env()).containsEntry("A", "1").doesNotContainKey("B");
        assertThat(runs.get(2).env()).containsEntry("B", "2");
    }

    @Test
    void environmentHeldByRunStepsIsBounded() {
        // 1000 variables, then 1000 changes each followed by a RUN: a million entries in 1000 maps
        StringBuilder text = new StringBuilder("FROM debian\nENV");
        for (int i = 0; i < 1000; i++) text.append(" V").append(i).append("=x");
        text.append("\n").append("ENV V0=y\nRUN true\n".repeat(1001));
        assertThatThrownBy(() -> Dockerfile.parse(text.toString(), Map.of())).isInstanceOf(BuildFailure.class)
                .hasMessageContaining("more than 1000000 environment variables in all");
    }

    @Test
    void variablesAreBounded() {
        StringBuilder text = new StringBuilder("FROM debian\nENV");
        for (int i = 0; i < 1100; i++) text.append(" V").append(i).append("=x");
        assertThatThrownBy(() -> Dockerfile.parse(text + "\n", Map.of())).isInstanceOf(BuildFailure.class)
                .hasMessageContaining("ENV: more than 1024 variables");
        assertThatThrownBy(() -> Dockerfile.parse("FROM debian\n" + "ARG A=1\n".repeat(10) + "ARG "
                + String.join(" ", java.util.stream.IntStream.range(0, 1100).mapToObj(i -> "G" + i).toList()) + "\n", Map.of()))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("ARG: more than 1024 variables");
    }

    /** What a parsed Dockerfile holds: the characters of its strings and its maps' entries, each object counted once. */
    static long weight(Dockerfile df) {
        Held held = new Held();
        held.add(df.from());
        held.add(df.config().env());
        held.add(df.config().labels());
        held.add(df.config().cmd());
        held.add(df.config().entrypoint());
        for (Step s : df.steps()) {
            held.add(s.text());
            if (s instanceof Step.Run r) {
                held.add(r.argv());
                held.add(r.env());
            }
            if (s instanceof Step.Copy c) {
                held.add(c.sources());
                held.add(c.dest());
            }
            if (s instanceof Step.Workdir d) held.add(d.path());
        }
        return held.total;
    }

    private static final class Held {
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long total;

        void add(String s) {
            if (s != null && seen.add(s)) total += s.length();
        }

        void add(List<String> l) {
            if (l != null) l.forEach(this::add);
        }

        void add(Map<String, String> m) {
            if (!seen.add(m)) return;
            total += m.size();
            m.forEach((k, v) -> {
                add(k);
                add(v);
            });
        }
    }
}
