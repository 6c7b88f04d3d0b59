package io.ember.store;

/**
 * What a microVM was launched from (kept beside its {@link MicrovmRecord}).
 *
 * @param rootfs the raw base disk under its overlay
 * @param template the image snapshot directory it was cloned from; null when it booted cold
 * @param environmentJson JSON object of the image's environment variables, or null
 */
public record LaunchRecord(String rootfs, String template, String environmentJson) {}
