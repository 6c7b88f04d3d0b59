package io.ember.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;

/**
 * Anthropic's bash tool ({@code bash_20250124}): input {@code command} and/or {@code restart}. The result is the
 * command's stdout and stderr as they interleaved, with a last line giving a non-zero exit status; a timeout or a
 * shell that went away is an error result saying what happened and what state is left.
 */
final class BashTool {
    static final String NAME = "bash";

    private BashTool() {}

    static String run(GuestShell shell, ObjectNode input, ToolOptions opts) throws ToolError, AgentException {
        JsonNode restartNode = input.get("restart");
        if (restartNode != null && !restartNode.isNull() && !restartNode.isBoolean()) {
            throw new ToolError("`restart` must be a boolean.");
        }
        boolean restart = restartNode != null && restartNode.asBoolean(false);
        JsonNode commandNode = input.get("command");
        if (commandNode != null && !commandNode.isNull() && !commandNode.isTextual()) {
            throw new ToolError("`command` must be a string.");
        }
        String command = commandNode == null || commandNode.isNull() ? null : commandNode.textValue();
        if (restart) {
            shell.restart();
            if (command == null) return "tool has been restarted.";
        }
        if (command == null) throw new ToolError("no command provided.");

        int max = opts.maxCharacters();
        GuestShell.Outcome o = shell.run(command, opts.timeout(), 2 * max, 2 * max);
        String out = text(o, max);
        if (out.endsWith("\n")) out = out.substring(0, out.length() - 1);
        String prefix = o.replaced() ? "[The session's previous shell had ended; this command ran in a new shell, "
                + "so earlier working directory, variables and functions are gone.]\n" : "";
        long secs = opts.timeout().toSeconds();
        return switch (o.ending()) {
            case EXITED -> prefix + out + (o.status() != 0 ? (out.isEmpty() ? "" : "\n") + "[exit status " + o.status() + "]" : "");
            case INTERRUPTED -> throw new ToolError(prefix + withOutput(out) + "The command timed out after " + secs
                    + " s and was interrupted (SIGINT). The shell is still running with its state (working directory, "
                    + "variables, functions). Run long jobs in the background (`cmd > log 2>&1 &`) and check on them later.");
            case KILLED -> throw new ToolError(prefix + withOutput(out) + "The command timed out after " + secs
                    + " s; it did not stop on SIGINT, so its processes were killed (SIGKILL). The shell is still running "
                    + "with its state.");
            case SHELL_RESTARTED -> throw new ToolError(prefix + "The command timed out after " + secs + " s and the "
                    + "shell did not respond to SIGINT or to its processes being killed, so the shell was restarted: "
                    + "its state (working directory, variables, functions) and the command's output are gone.");
            case SHELL_EXITED -> throw new ToolError(prefix + withOutput(out) + "The shell exited (status " + o.status()
                    + "). The next command starts a new shell, without the previous state.");
            case SHELL_GONE -> throw new ToolError(prefix + withOutput(out) + "The shell ended while the command ran "
                    + "(killed?). The next command starts a new shell, without the previous state.");
        };
    }

    private static String withOutput(String out) {
        return out.isEmpty() ? "" : out + "\n\n";
    }

    private static String text(GuestShell.Outcome o, int max) {
        if (o.tail().length == 0 && o.totalBytes() <= o.head().length) return Text.cutMiddle(Text.lenient(o.head()), max);
        byte[] h = o.head(), t = o.tail();
        String head = Text.lenient(h, 0, Text.headBoundary(h, h.length));
        int from = Text.tailBoundary(t);
        String tail = Text.lenient(t, from, t.length - from);
        return Text.headAndTail(head, tail, o.totalBytes(), max);
    }
}
