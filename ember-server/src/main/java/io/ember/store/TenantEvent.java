package io.ember.store;

import java.time.Instant;

/**
 * An event as a tenant reads it: a microVM's transition or hook outcome, or (microvmId null) something
 * that concerns no microVM, such as a RunMicrovm refused by a quota.
 *
 * @param seq the event's position, for paging
 */
public record TenantEvent(long seq, String tenantId, String microvmId, Instant at, String fromState, String toState,
                          String cause, String message) {}
