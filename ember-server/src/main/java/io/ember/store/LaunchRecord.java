package io.ember.store;

/**
 * What a microVM was launched from (kept beside its {@link MicrovmRecord}).
 *
 * @param rootfs the raw base disk under its overlay
 * @param template the image snapshot directory it was cloned from; null when it booted cold
 * @param environmentJson JSON object of the image's environment variables, or null
 * @param hooksJson its lifecycle hooks (io.ember.hooks.Hooks#toJson), or null for none
 * @param runHookPayload RunMicrovm's runHookPayload, kept only until the run hook was called
 */
public record LaunchRecord(String rootfs, String template, String environmentJson, String hooksJson, String runHookPayload) {
    public LaunchRecord(String rootfs, String template, String environmentJson) {
        this(rootfs, template, environmentJson, null, null);
    }
}
