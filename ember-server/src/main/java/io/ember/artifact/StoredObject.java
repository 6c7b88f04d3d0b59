package io.ember.artifact;

/**
 * What a build read: the object's ETag (as the store gave it, quotes removed) and version id (null when the bucket
 * is not versioned), and how many bytes were written.
 */
public record StoredObject(S3Location location, String eTag, String versionId, long sizeInBytes) {}
