package io.ember.hooks;

import java.util.Locale;

/**
 * Which form of the hook contract an image version was made under (docs/hooks.md, "Contract versions"). Ember first
 * called hooks at its own paths ({@code POST /run}); AWS calls them at {@code POST /aws/lambda-microvms/runtime/v1/run}.
 * Versions made since Ember follows AWS carry {@link #AWS}; versions stored before carry no marker and keep the
 * contract their application was written for, {@link #EMBER_2025}, until they are rebuilt.
 */
public enum HookContract {
    /** Ember's first contract: {@code /run}, ..., every timeout 1 to 60 s, 10 s by default. */
    EMBER_2025("", 10, 60, 10),
    /** AWS's: {@code /aws/lambda-microvms/runtime/v1/run}, ...; microVM hooks 1 to 60 s (1 s by default), image hooks 1 to 3600 s (30 s). */
    AWS("/aws/lambda-microvms/runtime/v1", 1, 3600, 30);

    /** The stored marker of {@link #AWS}; no marker (null) is {@link #EMBER_2025}. */
    public static final String AWS_MARKER = "aws";

    private final String prefix;
    final int microvmDefaultSeconds, imageMaxSeconds, imageDefaultSeconds;

    HookContract(String prefix, int microvmDefaultSeconds, int imageMaxSeconds, int imageDefaultSeconds) {
        this.prefix = prefix;
        this.microvmDefaultSeconds = microvmDefaultSeconds;
        this.imageMaxSeconds = imageMaxSeconds;
        this.imageDefaultSeconds = imageDefaultSeconds;
    }

    /** The path the application serves {@code hook} at. */
    public String path(Hooks.Hook hook) {
        return prefix + "/" + hook.name().toLowerCase(Locale.ROOT);
    }

    /** What is stored for this contract: {@link #AWS_MARKER}, or null for {@link #EMBER_2025}. */
    public String marker() {
        return this == AWS ? AWS_MARKER : null;
    }

    /** The contract a stored marker names: null (versions and microVMs stored before markers) is {@link #EMBER_2025}. */
    public static HookContract ofMarker(String marker) {
        if (marker == null) return EMBER_2025;
        if (marker.equals(AWS_MARKER)) return AWS;
        throw new IllegalStateException("unknown hook contract marker " + marker);
    }
}
