package io.ember.sdk;

import java.util.Map;

/**
 * CreateMicrovmAuthToken's (and CreateMicrovmShellAuthToken's) answer: header name to value. Send
 * {@link #value()} as the {@value #HEADER} header with every request to the microVM's endpoint.
 */
public record AuthToken(Map<String, String> authToken) {
    public static final String HEADER = "X-aws-proxy-auth";

    public String value() {
        String v = authToken == null ? null : authToken.get(HEADER);
        if (v == null) throw new IllegalStateException("the answer has no " + HEADER + " token");
        return v;
    }
}
