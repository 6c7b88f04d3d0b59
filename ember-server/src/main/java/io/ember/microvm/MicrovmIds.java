package io.ember.microvm;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** microVM ids ({@code mvm-} + 24 hex digits, 96 random bits) and their ARNs. */
public final class MicrovmIds {
    static final String ARN_PREFIX = "arn:aws:lambda:local:000000000000:microvm/";
    private static final Pattern ID = Pattern.compile("mvm-[0-9a-f]{24}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private MicrovmIds() {}

    static String newId() {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return "mvm-" + HexFormat.of().formatHex(bits);
    }

    public static String arn(String id) {
        return ARN_PREFIX + id;
    }

    /** The id in {@code identifier} (an id or an ARN); empty when it is neither. */
    public static Optional<String> parse(String identifier) {
        if (identifier == null) return Optional.empty();
        String id = identifier.startsWith(ARN_PREFIX) ? identifier.substring(ARN_PREFIX.length()) : identifier;
        return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }
}
