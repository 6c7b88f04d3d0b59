package io.ember.tools;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How one tool call runs (Ember's settings, not the model's input).
 *
 * @param session the bash session's name: each name is its own shell in the microVM
 * @param timeout how long a bash command may run before it is interrupted
 * @param maxCharacters the longest tool result: longer output is cut with a note saying so
 */
public record ToolOptions(String session, Duration timeout, int maxCharacters) {
    public static final String DEFAULT_SESSION = "default";
    public static final int DEFAULT_TIMEOUT_SECONDS = 120;
    public static final int MAX_TIMEOUT_SECONDS = 3600;
    public static final int DEFAULT_MAX_CHARACTERS = 30_000;
    public static final int MIN_MAX_CHARACTERS = 1_000;
    public static final int MAX_MAX_CHARACTERS = 500_000;
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public ToolOptions {
        if (session == null || !SESSION.matcher(session).matches()) {
            throw new IllegalArgumentException("session must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("timeoutSeconds must be between 1 and " + MAX_TIMEOUT_SECONDS);
        }
        if (maxCharacters < MIN_MAX_CHARACTERS || maxCharacters > MAX_MAX_CHARACTERS) {
            throw new IllegalArgumentException("maxCharacters must be between " + MIN_MAX_CHARACTERS + " and " + MAX_MAX_CHARACTERS);
        }
    }

    public static ToolOptions defaults() {
        return new ToolOptions(DEFAULT_SESSION, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS), DEFAULT_MAX_CHARACTERS);
    }
}
