package io.ember.image;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A managed (base) image from {@code <assets>/images/<name>/image.json}: a read-only ext4 root
 * disk and the machine size it boots with.
 */
public record ManagedImage(String name, String version, String description, int vcpus, int memoryMib,
                           Instant createdAt, Path rootfs) {

    /** As stored (account {@code aws}, as AWS's managed images; no region: {@link io.ember.arn.Region} renders it). */
    public String arn() {
        return io.ember.arn.LambdaArn.image(io.ember.arn.LambdaArn.MANAGED_ACCOUNT, name);
    }
}
