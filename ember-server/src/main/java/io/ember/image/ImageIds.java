package io.ember.image;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids and ARNs of built images. The account part is the owner's id, as in microVM ARNs (io.ember.microvm.MicrovmIds). */
final class ImageIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ImageIds() {}

    static String newId(String prefix) {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return prefix + HexFormat.of().formatHex(bits);
    }

    /** As stored: no region ({@link io.ember.arn.Region} renders it). */
    static String arn(String tenantId, String name) {
        return io.ember.arn.LambdaArn.image(tenantId, name);
    }
}
