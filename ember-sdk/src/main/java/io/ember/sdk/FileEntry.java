package io.ember.sdk;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;

/** One entry of a directory listing; fields as in {@link FileInfo}. */
public record FileEntry(String name, String type, long size,
                        @JsonDeserialize(using = FileMode.class) int mode, Instant modifiedAt) {
    public boolean isDirectory() { return "directory".equals(type); }
}
