package io.ember.tools;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import java.util.Map;

/**
 * Runs Anthropic client tool calls in a microVM: the bash tool in a persistent shell per (microVM, session),
 * the text editor on the guest's files under /workspace. A failing tool call is a tool result with
 * {@code is_error} (the model reads it); only a broken agent channel is thrown.
 */
public final class Tools {
    private final SessionLocks locks = new SessionLocks();

    /**
     * @param env the environment of the session's shell (defaults plus the image's), used when one is started
     * @throws AgentException when the agent channel broke (or another failure the caller, not the model, must see)
     */
    public ToolResult run(GuestAgent agent, Map<String, String> env, String microvmId, ToolUse use, ToolOptions opts)
            throws AgentException {
        try {
            String content = switch (use.name()) {
                case BashTool.NAME -> bash(agent, env, microvmId, use, opts);
                case TextEditor.NAME, TextEditor.OLD_NAME -> new TextEditor(agent, opts.maxCharacters()).run(use.name(), use.input());
                default -> throw new ToolError("Ember runs the tools `" + BashTool.NAME + "` and `" + TextEditor.NAME
                        + "`; there is no tool named `" + use.name() + "`.");
            };
            return new ToolResult(use.id(), content, false);
        } catch (ToolError e) {
            return new ToolResult(use.id(), e.getMessage(), true);
        }
    }

    private String bash(GuestAgent agent, Map<String, String> env, String microvmId, ToolUse use, ToolOptions opts)
            throws ToolError, AgentException {
        // Waiting behind the session's current command counts against this call's own timeout.
        SessionLocks.Held held;
        try {
            held = locks.acquire(microvmId + "/" + opts.session(), opts.timeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted waiting for bash session " + opts.session(), false, e);
        }
        if (held == null) {
            throw new ToolError("Another command is still running in bash session `" + opts.session() + "` after "
                    + opts.timeout().toSeconds() + " s: a session runs one command at a time.");
        }
        try (held) {
            return BashTool.run(new GuestShell(agent, env, opts.session()), use.input(), opts);
        }
    }

    /** Sessions that hold or await their lock now (for tests: none once every call has ended). */
    int busySessions() {
        return locks.size();
    }
}
