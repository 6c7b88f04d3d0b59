package io.ember.image;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A managed (base) image from {@code <assets>/images/<name>/image.json}: a read-only ext4 root
 * disk and the machine size it boots with.
 */
public record ManagedImage(String name, String version, String description, int vcpus, int memoryMib,
                           Instant createdAt, Path rootfs) {

    static final String ARN_PREFIX = "arn:aws:lambda:local:aws:microvm-image/";

    public String arn() {
        return ARN_PREFIX + name;
    }
}
