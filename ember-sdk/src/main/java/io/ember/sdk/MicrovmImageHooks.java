package io.ember.sdk;

/**
 * The hooks of an image's build (the model's MicrovmImageHooks), called in the template VM: {@code POST /ready} until
 * it answers 2xx within its timeout, then {@code POST /validate} once just before the snapshot. Either failing fails the
 * build.
 */
public record MicrovmImageHooks(HookState ready, Integer readyTimeoutInSeconds, HookState validate,
                                Integer validateTimeoutInSeconds) {}
