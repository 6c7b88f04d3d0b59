package io.ember.sdk;

import java.time.Instant;

/**
 * Something that happened to a microVM or to the tenant: a state change ({@code fromState}, {@code toState},
 * {@code cause}: USER, BOOT, FAILURE, LIFETIME, IDLE, REQUEST, RECONCILE, HOOK), or a refusal such as a quota's.
 * {@code microvmId} and {@code type} are set in the tenant-wide list; fields the server leaves out are null.
 */
public record Event(Instant at, String microvmId, String type, String fromState, String toState, String cause, String message) {}
