package io.ember.sdk;

import java.util.List;

/** One page of the caller's roles; {@code nextToken} is null on the last page. */
public record ListRolesResponse(List<Role> roles, String nextToken) {
    public ListRolesResponse {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
