package io.ember.sdk;

/**
 * Ember's settings for one {@link EmberClient#runTool} call; null fields take the server's defaults.
 *
 * @param session the bash session (default {@code default}): each name is its own shell in the microVM
 * @param timeoutSeconds 1 to 3600 (default 120): a bash command running longer is interrupted, an error result
 * @param maxCharacters 1000 to 500000 (default 30000): a longer result is cut with a note
 */
public record ToolOptions(String session, Integer timeoutSeconds, Integer maxCharacters) {
    /** The server's defaults. */
    public static ToolOptions defaults() {
        return new ToolOptions(null, null, null);
    }

    public static ToolOptions session(String session) {
        return new ToolOptions(session, null, null);
    }

    public ToolOptions withSession(String s) {
        return new ToolOptions(s, timeoutSeconds, maxCharacters);
    }

    public ToolOptions withTimeoutSeconds(Integer t) {
        return new ToolOptions(session, t, maxCharacters);
    }

    public ToolOptions withMaxCharacters(Integer m) {
        return new ToolOptions(session, timeoutSeconds, m);
    }
}
