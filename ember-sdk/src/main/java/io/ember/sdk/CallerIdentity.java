package io.ember.sdk;

/** Who signed the request (WhoAmI): the tenant, its name, the access key used, and whether it is the admin. */
public record CallerIdentity(String tenantId, String name, String accessKeyId, boolean admin) {}
