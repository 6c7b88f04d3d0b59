package io.ember.microvm;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** microVM ids ({@code mvm-} + 24 hex digits, 96 random bits) and their ARNs. */
public final class MicrovmIds {
    private static final Pattern ID = Pattern.compile("mvm-[0-9a-f]{24}");
    private static final Pattern ARN = Pattern.compile("arn:aws:lambda:local:([0-9]{12}):microvm/(.*)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private MicrovmIds() {}

    static String newId() {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return "mvm-" + HexFormat.of().formatHex(bits);
    }

    /** The ARN of a microVM: the account part is its tenant's id. */
    public static String arn(String tenantId, String id) {
        return "arn:aws:lambda:local:" + tenantId + ":microvm/" + id;
    }

    /** The id in {@code identifier} (an id or an ARN); empty when it is neither. */
    public static Optional<String> parse(String identifier) {
        if (identifier == null) return Optional.empty();
        Matcher arn = ARN.matcher(identifier);
        String id = arn.matches() ? arn.group(2) : identifier;
        return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }
}
