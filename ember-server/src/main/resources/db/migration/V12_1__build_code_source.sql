-- What a build read as its code artifact when it started (docs/images.md, "Code artifacts in S3"): JSON
-- {"uri": "s3://bucket/key", "eTag": ..., "versionId": ..., "sizeInBytes": ...}; null for code copied at request time
-- (uploads, file://) and for builds that had not read theirs.
ALTER TABLE image_builds ADD COLUMN code_source TEXT;
