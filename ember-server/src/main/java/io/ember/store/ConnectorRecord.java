package io.ember.store;

import java.time.Instant;

/**
 * A tenant's network connector (docs/connectors.md), as stored.
 *
 * @param ordinal creation order, for ListNetworkConnectors' pages
 * @param configurationJson the configuration, canonical JSON ({"egressPolicyConfiguration": ...})
 * @param state PENDING, ACTIVE or FAILED (DELETING is only ever answered, never stored)
 * @param clientToken CreateNetworkConnector's clientToken prefixed with the tenant's id; null when none
 * @param tagsJson the tags as a JSON object; null when none
 */
public record ConnectorRecord(long ordinal, String id, String tenantId, String name, String configurationJson,
                              String operatorRole, String state, String stateReason, String clientToken, String tagsJson,
                              Instant createdAt, Instant updatedAt) {}
