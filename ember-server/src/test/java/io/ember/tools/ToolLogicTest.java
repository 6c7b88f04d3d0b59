package io.ember.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pure parts of the tools: blocks, paths, lines, output text and the shell waiter's answers. */
class ToolLogicTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void toolUseBlocksAreParsedStrictlyWhereTheyMatter() throws Exception {
        ToolUse u = ToolUse.parse(JSON.readTree("{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"bash\",\"input\":{\"command\":\"ls\"},\"caller\":{}}"));
        assertThat(u.id()).isEqualTo("toolu_1");
        assertThat(u.input().get("command").asText()).isEqualTo("ls");
        assertThat(ToolUse.parse(JSON.readTree("{\"id\":\"a\",\"name\":\"bash\"}")).input().isEmpty()).isTrue();
        assertThatThrownBy(() -> ToolUse.parse(JSON.readTree("{\"type\":\"text\",\"id\":\"a\",\"name\":\"bash\"}")))
                .hasMessageContaining("tool_use");
        assertThatThrownBy(() -> ToolUse.parse(JSON.readTree("{\"name\":\"bash\"}"))).hasMessage("id is required");
        assertThatThrownBy(() -> ToolUse.parse(JSON.readTree("{\"id\":\"a\",\"name\":\"bash\",\"input\":[]}")))
                .hasMessage("input must be an object");
        assertThatThrownBy(() -> ToolUse.parse(JSON.readTree("[]"))).hasMessageContaining("JSON object");
        assertThat(new ToolResult("toolu_1", "out", true).toJson().toString())
                .isEqualTo("{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"out\",\"is_error\":true}");
    }

    @Test
    void optionsAreBounded() {
        assertThatThrownBy(() -> new ToolOptions("../x", Duration.ofSeconds(1), 30_000)).hasMessageContaining("session");
        assertThatThrownBy(() -> new ToolOptions(".hidden", Duration.ofSeconds(1), 30_000)).hasMessageContaining("session");
        assertThatThrownBy(() -> new ToolOptions("a", Duration.ofSeconds(3601), 30_000)).hasMessageContaining("timeoutSeconds");
        assertThatThrownBy(() -> new ToolOptions("a", Duration.ofSeconds(1), 10)).hasMessageContaining("maxCharacters");
        assertThat(ToolOptions.defaults().session()).isEqualTo("default");
    }

    @Test
    void editorPathsStayUnderTheWorkspace() throws Exception {
        assertThat(EditorPaths.resolve("a/b.txt")).isEqualTo("/workspace/a/b.txt");
        assertThat(EditorPaths.resolve("/workspace/./a/../b")).isEqualTo("/workspace/b");
        assertThat(EditorPaths.resolve("/workspace")).isEqualTo("/workspace");
        assertThat(EditorPaths.resolve(".")).isEqualTo("/workspace");
        for (String bad : new String[] {"/etc/passwd", "../etc", "/workspace/../../x", "/workspacex/a", "/"}) {
            assertThatThrownBy(() -> EditorPaths.resolve(bad)).as(bad).isInstanceOf(ToolError.class).hasMessageContaining("outside /workspace");
        }
        assertThatThrownBy(() -> EditorPaths.resolve(" ")).hasMessage("Parameter `path` is required.");
    }

    @Test
    void linesCountAsCatNDoes() {
        TextFile f = new TextFile("a\nb\n");
        assertThat(f.count()).isEqualTo(2);
        assertThat(new TextFile("a\nb").count()).isEqualTo(2);
        assertThat(new TextFile("").count()).isZero();
        assertThat(new TextFile("\n").count()).isEqualTo(1);
        assertThat(f.insert(0, "x")).isEqualTo("x\na\nb\n");
        assertThat(f.insert(2, "x\ny\n")).isEqualTo("a\nb\nx\ny\n");
        assertThat(new TextFile("a\nb").insert(2, "x")).isEqualTo("a\nb\nx\n");
        assertThat(new TextFile("a\nb").insert(1, "x")).isEqualTo("a\nx\nb");
        assertThat(f.numbered(1, 2, "F", 10_000)).isEqualTo("Here's the result of running `cat -n` on F:\n     1\ta\n     2\tb\n");
        assertThat(f.numbered(1, 2, "F", 60)).endsWith(Text.CLIPPED + "\n");
        assertThat(TextFile.occurrenceLines("x\nab\nab ab\n", "ab")).containsExactly(2, 3, 3);
        assertThat(TextFile.occurrenceLines("aaaa", "aa")).containsExactly(1, 1);
        assertThat(TextFile.lineOf("a\nb\nc", 4)).isEqualTo(3);
    }

    @Test
    void outputBecomesSafeTextAndIsCutInTheMiddle() {
        assertThat(Text.lenient(new byte[] {'a', 0, 'b', (byte) 0xff, '\t', '\n', 0x1b})).isEqualTo("a\uFFFDb\uFFFD\t\n\u001b");
        assertThat(Text.strict("héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo");
        assertThat(Text.strict(new byte[] {'a', 0})).isNull();
        assertThat(Text.strict(new byte[] {(byte) 0xc3})).isNull();
        byte[] e = "aé".getBytes(StandardCharsets.UTF_8); // 61 c3 a9
        assertThat(Text.headBoundary(e, 2)).isEqualTo(1);
        assertThat(Text.headBoundary(e, 3)).isEqualTo(3);
        assertThat(Text.tailBoundary(new byte[] {(byte) 0xa9, 'b'})).isEqualTo(1);
        String long_ = "x".repeat(5000);
        String cut = Text.cutMiddle(long_, 1000);
        assertThat(cut.length()).isLessThanOrEqualTo(1000);
        assertThat(cut).contains("4300 characters left out");
        assertThat(Text.cutMiddle("short", 1000)).isEqualTo("short");
        String ht = Text.headAndTail("h".repeat(3000), "t".repeat(3000), 1_000_000, 1000);
        assertThat(ht.length()).isLessThanOrEqualTo(1000);
        assertThat(ht).startsWith("hhh").endsWith("ttt").contains("1000000 bytes");
    }

    @Test
    void theWaitersAnswersAreParsedStrictly() {
        assertThat(GuestShell.Status.parse("rc 0\n")).isEqualTo(new GuestShell.Status(0, false, false));
        assertThat(GuestShell.Status.parse("rc 130 exit")).isEqualTo(new GuestShell.Status(130, true, false));
        assertThat(GuestShell.Status.parse("dead")).isEqualTo(new GuestShell.Status(-1, false, true));
        for (String bad : new String[] {"", "rc", "rc x", "rc 1 2", "rc 1234", "ok 1", "rc 1 exit more"}) {
            assertThat(GuestShell.Status.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void sessionLocksAreReleasedAndForgotten() throws Exception {
        SessionLocks locks = new SessionLocks();
        try (SessionLocks.Held h = locks.acquire("vm/a", Duration.ofSeconds(1))) {
            assertThat(h).isNotNull();
            java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = Thread.ofVirtual().start(() -> {
                try {
                    boolean sameTaken = locks.acquire("vm/a", Duration.ofMillis(50)) == null;
                    boolean otherFree;
                    try (SessionLocks.Held b = locks.acquire("vm/b", Duration.ofMillis(50))) {
                        otherFree = b != null;
                    }
                    seen.set(sameTaken + " " + otherFree);
                } catch (InterruptedException e) {
                    seen.set("interrupted");
                }
            });
            other.join();
            assertThat(seen.get()).as("vm/a is held elsewhere, vm/b is free").isEqualTo("true true");
        }
        assertThat(locks.size()).isZero();
    }
}
