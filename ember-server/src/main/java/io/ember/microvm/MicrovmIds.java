package io.ember.microvm;

import io.ember.arn.LambdaArn;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** microVM ids ({@code mvm-} + 24 hex digits, 96 random bits) and their ARNs ({@link LambdaArn}). */
public final class MicrovmIds {
    private static final Pattern ID = Pattern.compile("mvm-[0-9a-f]{24}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private MicrovmIds() {}

    static String newId() {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return "mvm-" + HexFormat.of().formatHex(bits);
    }

    /** The ARN of a microVM as stored (no region; {@link io.ember.arn.Region} renders it): the account is its tenant's id. */
    public static String arn(String tenantId, String id) {
        return LambdaArn.microvm(tenantId, id);
    }

    /** The id in {@code identifier} (an id or an ARN in any form LambdaArn reads); empty when it is neither. */
    public static Optional<String> parse(String identifier) {
        if (identifier == null) return Optional.empty();
        String id = identifier.startsWith("arn:")
                ? LambdaArn.parse(identifier, LambdaArn.MICROVM).map(LambdaArn::resource).orElse("") : identifier;
        return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }
}
