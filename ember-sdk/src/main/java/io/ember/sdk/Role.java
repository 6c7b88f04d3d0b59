package io.ember.sdk;

import java.time.Instant;
import java.util.List;

/**
 * An execution role: the secrets a microVM launched with it may read. Pass {@link #arn()}
 * ({@code arn:aws:iam::<tenantId>:role/<name>}) as RunMicrovm's {@code executionRoleArn}.
 */
public record Role(String name, String arn, List<String> secrets, String description, Instant createdAt, Instant updatedAt) {
    public Role {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }
}
