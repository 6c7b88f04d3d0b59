package io.ember.sdk;

/** The server's answer to an upload: the file's path in the guest and its size in bytes. */
public record UploadResult(String path, long size) {}
