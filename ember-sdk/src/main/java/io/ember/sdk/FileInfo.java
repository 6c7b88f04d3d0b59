package io.ember.sdk;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;

/**
 * A file's metadata from {@code stat}. {@code type} is {@code file}, {@code directory}, {@code symlink}
 * or {@code other} (a final symlink is not followed); {@code mode} holds the permission bits.
 */
public record FileInfo(String path, String type, long size,
                       @JsonDeserialize(using = FileMode.class) int mode, Instant modifiedAt) {
    public boolean isDirectory() { return "directory".equals(type); }
}
