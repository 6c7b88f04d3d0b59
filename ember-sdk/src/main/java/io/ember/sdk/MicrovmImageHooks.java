package io.ember.sdk;

/**
 * The hooks of an image's build (the model's MicrovmImageHooks, docs/hooks.md), at
 * {@code POST /aws/lambda-microvms/runtime/v1/<hook>}: {@code ready} in the template VM before the snapshot, then
 * {@code validate} in a test microVM started from it; each asked again while it answers 503, until it answers 2xx within
 * its timeout (1 to 3600 seconds, default 30). Either failing fails the build.
 */
public record MicrovmImageHooks(HookState ready, Integer readyTimeoutInSeconds, HookState validate,
                                Integer validateTimeoutInSeconds) {}
