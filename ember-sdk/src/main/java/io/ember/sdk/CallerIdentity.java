package io.ember.sdk;

/**
 * Who signed the request (WhoAmI): the tenant, its name, the access key used, and whether it is the admin;
 * {@code accountId} (the tenant's id) and {@code region} are the ones in the tenant's ARNs ({@link Arn}).
 */
public record CallerIdentity(String tenantId, String accountId, String region, String name, String accessKeyId, boolean admin) {}
