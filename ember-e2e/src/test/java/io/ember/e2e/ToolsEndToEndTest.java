package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.sdk.EmberClient;
import io.ember.sdk.MicrovmState;
import io.ember.sdk.ResourceNotFoundException;
import io.ember.sdk.ToolOptions;
import io.ember.sdk.ToolResult;
import io.ember.sdk.ToolUse;
import io.ember.sdk.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The agent tools endpoint on a real debian microVM (which has bash): Anthropic's bash tool with a persistent
 * shell per session, and its text editor tool, through the SDK.
 */
class ToolsEndToEndTest extends OneVmPerClass {
    private static final AtomicInteger IDS = new AtomicInteger();

    @Override
    protected String image() {
        return "debian";
    }

    private EmberClient client() {
        return server.client();
    }

    private ToolResult bash(String session, String command) {
        return bash(ToolOptions.session(session), command);
    }

    private ToolResult bash(ToolOptions options, String command) {
        String id = "toolu_" + IDS.incrementAndGet();
        ToolResult r = client().runTool(vm.id, ToolUse.bash(id, command), options);
        assertThat(r.toolUseId()).isEqualTo(id);
        assertThat(r.type()).isEqualTo("tool_result");
        return r;
    }

    /** A bash call that must succeed; its content. */
    private String ok(String session, String command) {
        ToolResult r = bash(session, command);
        assertThat(r.isError()).as("`%s` -> %s", command, r.content()).isFalse();
        return r.content();
    }

    private ToolResult edit(String command, Map<String, Object> parameters) {
        return client().runTool(vm.id, ToolUse.editor("toolu_" + IDS.incrementAndGet(), command, parameters));
    }

    @Test
    void workingDirectoryVariablesAndFunctionsPersistUntilRestart() {
        assertThat(ok("persist", "pwd")).isEqualTo("/workspace");
        assertThat(ok("persist", "echo $BASH_VERSION | cut -c1")).isEqualTo("5");
        assertThat(ok("persist", "mkdir -p /tmp/here && cd /tmp/here")).isEmpty();
        assertThat(ok("persist", "export FOO=bar; LOCAL=only-here")).isEmpty();
        assertThat(ok("persist", "greet() { echo \"hello $1\"; }")).isEmpty();
        assertThat(ok("persist", "pwd; echo $FOO $LOCAL; greet world; sh -c 'echo child sees $FOO'"))
                .isEqualTo("/tmp/here\nbar only-here\nhello world\nchild sees bar");

        ToolResult restarted = client().runTool(vm.id, ToolUse.bashRestart("toolu_restart"), ToolOptions.session("persist"));
        assertThat(restarted.isError()).isFalse();
        assertThat(restarted.content()).isEqualTo("tool has been restarted.");
        ToolResult after = bash("persist", "pwd; echo \"[$FOO][$LOCAL]\"; greet world");
        assertThat(after.isError()).isFalse();
        assertThat(after.content()).startsWith("/workspace\n[][]\n").contains("greet: command not found")
                .endsWith("[exit status 127]");
    }

    @Test
    void exitStatusStderrAndMultiLineCommands() {
        assertThat(ok("status", "false")).isEqualTo("[exit status 1]");
        assertThat(ok("status", "echo out; echo err >&2; echo out2")).isEqualTo("out\nerr\nout2");
        assertThat(ok("status", "for i in 1 2 3; do\n  echo \"line $i\"\ndone\ncat <<'EOF'\n$HOME stays literal\nEOF"))
                .isEqualTo("line 1\nline 2\nline 3\n$HOME stays literal");
        assertThat(ok("status", "echo 'unterminated")).contains("unexpected EOF").endsWith("[exit status 2]");
        assertThat(ok("status", "echo still here")).isEqualTo("still here");
        // A command reading stdin gets end of file, not the shell's next command.
        assertThat(ok("status", "cat; echo read-nothing")).isEqualTo("read-nothing");
        // A background job does not hold the call (its output goes nowhere once the call ended).
        assertThat(ok("status", "sleep 100 & echo started")).isEqualTo("started");
    }

    @Test
    void aCommandPastItsTimeoutIsAnErrorAndTheShellStaysUsable() {
        ToolOptions quick = ToolOptions.session("slow").withTimeoutSeconds(2);
        assertThat(ok("slow", "cd /tmp; export KEEP=yes")).isEmpty();
        ToolResult slept = bash(quick, "echo before; sleep 60; echo after");
        assertThat(slept.isError()).isTrue();
        assertThat(slept.content()).startsWith("before\n\nThe command timed out after 2 s and was interrupted");
        assertThat(ok("slow", "echo next $KEEP; pwd")).isEqualTo("next yes\n/tmp");

        ToolResult busy = bash(quick, "while :; do :; done");
        assertThat(busy.isError()).isTrue();
        assertThat(busy.content()).contains("was interrupted");
        assertThat(ok("slow", "echo $KEEP")).isEqualTo("yes");

        // A process that ignores SIGINT is killed; the shell and its state stay.
        ToolResult stubborn = bash(quick, "(trap '' INT; sleep 60)");
        assertThat(stubborn.isError()).isTrue();
        assertThat(stubborn.content()).contains("did not stop on SIGINT").contains("killed");
        assertThat(ok("slow", "echo $KEEP; pwd")).isEqualTo("yes\n/tmp");
    }

    @Test
    void aShellThatExitsIsReplacedWithANote() {
        assertThat(ok("exits", "export GONE=soon")).isEmpty();
        ToolResult exited = bash("exits", "echo bye; exit 3");
        assertThat(exited.isError()).isTrue();
        assertThat(exited.content()).startsWith("bye").contains("The shell exited (status 3)");
        ToolResult next = bash("exits", "echo \"[$GONE]\"");
        assertThat(next.isError()).isFalse();
        assertThat(next.content()).contains("previous shell had ended").endsWith("[]");
    }

    @Test
    void unicodeBinaryAndHugeOutput() {
        assertThat(ok("output", "printf 'h\\303\\251llo \\342\\234\\223 \\346\\227\\245\\346\\234\\254\\n'"))
                .isEqualTo("héllo ✓ 日本");
        String binary = ok("output", "printf 'a\\000b\\001c\\377d\\n'");
        assertThat(binary).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd");
        String random = ok("output", "head -c 4096 /dev/urandom");
        assertThat(random).doesNotContain("\u0000");

        ToolResult huge = bash(ToolOptions.session("output").withMaxCharacters(2000), "seq 1 200000");
        assertThat(huge.isError()).isFalse();
        assertThat(huge.content().length()).isLessThanOrEqualTo(2000);
        assertThat(huge.content()).startsWith("1\n2\n3\n").endsWith("199999\n200000").contains("output truncated")
                .contains("1288895 bytes");
        // Fetched whole (at most twice the limit in bytes), then cut in the middle.
        ToolResult medium = bash(ToolOptions.session("output").withMaxCharacters(1000), "seq 1 400");
        assertThat(medium.content().length()).isLessThanOrEqualTo(1000);
        assertThat(medium.content()).startsWith("1\n2\n").endsWith("399\n400").contains("characters left out");
    }

    @Test
    void twoSessionsRunInParallelWithoutSeeingEachOther() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (String s : List.of("alpha", "beta")) {
                Callable<String> c = () -> ok(s, "export WHO=" + s + "; mkdir -p /tmp/" + s + " && cd /tmp/" + s
                        + "; sleep 2; echo $WHO $(pwd)");
                runs.add(pool.submit(c));
            }
            assertThat(runs.get(0).get()).isEqualTo("alpha /tmp/alpha");
            assertThat(runs.get(1).get()).isEqualTo("beta /tmp/beta");
        } finally {
            pool.shutdownNow();
        }
        assertThat(ok("alpha", "echo $WHO; pwd")).isEqualTo("alpha\n/tmp/alpha");
        assertThat(ok("beta", "echo $WHO; pwd")).isEqualTo("beta\n/tmp/beta");
        assertThat(ok("gamma", "echo \"[$WHO]\"; pwd")).isEqualTo("[]\n/workspace");
    }

    @Test
    void aSuspendedAndResumedSessionKeepsItsShell() {
        assertThat(ok("sleepy", "cd /etc; export KEPT=across; wake() { echo awake in $(pwd); }")).isEmpty();
        client().suspendMicrovm(vm.id);
        assertThat(client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.SUSPENDED);
        // The call wakes the microVM (a tool call holds the guest as exec does).
        assertThat(ok("sleepy", "echo $KEPT; wake")).isEqualTo("across\nawake in /etc");
        assertThat(client().getMicrovm(vm.id).state()).isEqualTo(MicrovmState.RUNNING);
        client().suspendMicrovm(vm.id);
        client().resumeMicrovm(vm.id);
        assertThat(ok("sleepy", "echo $KEPT again")).isEqualTo("across again");
    }

    @Test
    void theTextEditorCommandsAndTheirErrors() {
        ok("editor", "rm -rf /workspace/ed");
        ToolResult created = edit("create", Map.of("path", "/workspace/ed/sub/notes.txt", "file_text", "alpha\nbeta\nalpha\n"));
        assertThat(created.isError()).as(created.content()).isFalse();
        assertThat(created.content()).isEqualTo("File created successfully at: /workspace/ed/sub/notes.txt");
        assertThat(ok("editor", "cat /workspace/ed/sub/notes.txt")).isEqualTo("alpha\nbeta\nalpha");
        assertThat(edit("create", Map.of("path", "ed/sub/notes.txt", "file_text", "x")).content())
                .isEqualTo("File already exists at: /workspace/ed/sub/notes.txt. Cannot overwrite files using command `create`.");

        assertThat(edit("view", Map.of("path", "ed/sub/notes.txt")).content()).isEqualTo(
                "Here's the result of running `cat -n` on /workspace/ed/sub/notes.txt:\n     1\talpha\n     2\tbeta\n     3\talpha\n");
        assertThat(edit("view", Map.of("path", "/workspace/ed/sub/notes.txt", "view_range", List.of(2, 3))).content())
                .endsWith(":\n     2\tbeta\n     3\talpha\n");
        assertThat(edit("view", Map.of("path", "/workspace/ed/sub/notes.txt", "view_range", List.of(3, -1))).content())
                .endsWith(":\n     3\talpha\n");
        ToolResult badRange = edit("view", Map.of("path", "/workspace/ed/sub/notes.txt", "view_range", List.of(0, 2)));
        assertThat(badRange.isError()).isTrue();
        assertThat(badRange.content()).contains("Its first element `0` should be within the range of lines of the file: [1, 3]");

        ok("editor", "touch /workspace/ed/.hidden /workspace/ed/top.md");
        ToolResult dir = edit("view", Map.of("path", "/workspace/ed"));
        assertThat(dir.isError()).isFalse();
        assertThat(dir.content()).isEqualTo("Here's the files and directories up to 2 levels deep in /workspace/ed, "
                + "excluding hidden items:\n/workspace/ed\n/workspace/ed/sub\n/workspace/ed/sub/notes.txt\n/workspace/ed/top.md\n");
        assertThat(edit("view", Map.of("path", "/workspace/ed", "view_range", List.of(1, 2))).content())
                .isEqualTo("The `view_range` parameter is not allowed when `path` points to a directory.");

        ToolResult absent = edit("str_replace", Map.of("path", "ed/sub/notes.txt", "old_str", "gamma", "new_str", "x"));
        assertThat(absent.isError()).isTrue();
        assertThat(absent.content()).isEqualTo(
                "No replacement was performed, old_str `gamma` did not appear verbatim in /workspace/ed/sub/notes.txt.");
        ToolResult twice = edit("str_replace", Map.of("path", "ed/sub/notes.txt", "old_str", "alpha", "new_str", "x"));
        assertThat(twice.isError()).isTrue();
        assertThat(twice.content()).isEqualTo("No replacement was performed. Multiple occurrences of old_str `alpha` "
                + "in lines [1, 3]. Please ensure it is unique");
        ToolResult replaced = edit("str_replace", Map.of("path", "ed/sub/notes.txt", "old_str", "beta\n", "new_str", "BETA\nβ2\n"));
        assertThat(replaced.isError()).as(replaced.content()).isFalse();
        assertThat(replaced.content()).startsWith("The file /workspace/ed/sub/notes.txt has been edited.")
                .contains("     2\tBETA\n     3\tβ2\n     4\talpha\n").endsWith("Edit the file again if necessary.");
        assertThat(ok("editor", "cat /workspace/ed/sub/notes.txt")).isEqualTo("alpha\nBETA\nβ2\nalpha");

        ToolResult inserted = edit("insert", Map.of("path", "ed/sub/notes.txt", "insert_line", 0, "insert_text", "# head"));
        assertThat(inserted.isError()).as(inserted.content()).isFalse();
        assertThat(edit("insert", Map.of("path", "ed/sub/notes.txt", "insert_line", 5, "new_str", "tail\n")).isError()).isFalse();
        assertThat(ok("editor", "cat /workspace/ed/sub/notes.txt")).isEqualTo("# head\nalpha\nBETA\nβ2\nalpha\ntail");
        ToolResult outOfRange = edit("insert", Map.of("path", "ed/sub/notes.txt", "insert_line", 9, "insert_text", "x"));
        assertThat(outOfRange.content()).isEqualTo("Invalid `insert_line` parameter: 9. It should be within the range "
                + "of lines of the file: [0, 6]");
        assertThat(edit("insert", Map.of("path", "ed/sub/notes.txt", "insert_line", 1)).content())
                .isEqualTo("Parameter `insert_text` (or `new_str`) is required for command: insert");

        assertThat(ok("editor", "chmod 755 /workspace/ed/sub/notes.txt; stat -c %a /workspace/ed/sub/notes.txt")).isEqualTo("755");
        edit("str_replace", Map.of("path", "ed/sub/notes.txt", "old_str", "tail", "new_str", "end"));
        assertThat(ok("editor", "stat -c %a /workspace/ed/sub/notes.txt")).as("an edit keeps the mode").isEqualTo("755");

        assertThat(edit("view", Map.of("path", "ed/missing.txt")).content())
                .isEqualTo("The path /workspace/ed/missing.txt does not exist. Please provide a valid path.");
        assertThat(edit("view", Map.of("path", "/etc/passwd")).content()).startsWith("The path /etc/passwd is outside /workspace");
        assertThat(edit("view", Map.of("path", "/workspace/../etc/passwd")).isError()).isTrue();
        assertThat(edit("str_replace", Map.of("path", "ed", "old_str", "a")).content())
                .isEqualTo("The path /workspace/ed is a directory and only the `view` command can be used on directories");
        ok("editor", "head -c 100 /dev/urandom > /workspace/ed/blob; printf '\\000' >> /workspace/ed/blob");
        assertThat(edit("view", Map.of("path", "ed/blob")).content()).contains("is not UTF-8 text");
        assertThat(edit("undo_edit", Map.of("path", "ed/sub/notes.txt")).content())
                .isEqualTo("Unrecognized command undo_edit. The allowed commands for the str_replace_based_edit_tool tool "
                        + "are: view, create, str_replace, insert");
        ToolResult unknownTool = client().runTool(vm.id, ToolUse.of("toolu_x", "computer", Map.of("action", "screenshot")));
        assertThat(unknownTool.isError()).isTrue();
        assertThat(unknownTool.content()).contains("no tool named `computer`");
    }

    @Test
    void badRequestsAreRefusedBeforeTheGuest() {
        assertThatThrownBy(() -> client().runTool("mvm-000000000000000000000000", ToolUse.bash("toolu_1", "true")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> client().runTool(vm.id, ToolUse.bash("toolu_1", "true"), ToolOptions.session("../x")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("session");
        assertThatThrownBy(() -> client().runTool(vm.id, ToolUse.bash("toolu_1", "true"),
                ToolOptions.defaults().withTimeoutSeconds(0))).isInstanceOf(ValidationException.class);
        assertThat(client().runTool(vm.id, ToolUse.of("toolu_2", "bash", Map.of())).content()).isEqualTo("no command provided.");
    }
}
