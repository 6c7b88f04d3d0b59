package io.ember.image;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Ids and ARNs of built images. The account part is the one of microVM ARNs (io.ember.microvm.MicrovmIds). */
final class ImageIds {
    static final String ARN_PREFIX = "arn:aws:lambda:local:000000000000:microvm-image/";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ImageIds() {}

    static String newId(String prefix) {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return prefix + HexFormat.of().formatHex(bits);
    }

    static String arn(String name) {
        return ARN_PREFIX + name;
    }
}
