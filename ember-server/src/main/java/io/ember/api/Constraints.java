package io.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * The Lambda MicroVMs model's constraints on shared shapes (lengths, patterns, unions), each failure a
 * ValidationException naming the field. docs/compatibility.md lists them beside AWS's; the conformance suite
 * (ember-e2e, official-conformance.mjs) sends their boundaries through the official client.
 */
final class Constraints {
    private Constraints() {}

    /** MicrovmIdentifier and MicrovmImageIdentifier: 1 to 256 characters (a name, an id or an ARN). */
    static final int MAX_IDENTIFIER = 256;
    /** The model's idempotency tokens ({@code clientToken}): 1 to 128 characters. */
    static final int MAX_CLIENT_TOKEN = 128;
    /** NetworkConnectorList: at most 10 connectors (an image's egress list: at most 1, checked by the connectors). */
    static final int MAX_CONNECTORS = 10;
    /** EnvironmentVariableMap: at most 50 variables. */
    static final int MAX_ENVIRONMENT_VARIABLES = 50;

    /** NonBlankString and Version: {@code ^[^\s]+$}. */
    private static final Pattern NON_BLANK = Pattern.compile("[^\\s]+");
    /** RoleArn: {@code ^arn:aws[a-z\-]*:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$}, 20 to 2048 characters. */
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z\\-]*:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    private static final Pattern LOG_GROUP = Pattern.compile("[a-zA-Z0-9_\\-/.#]+");
    private static final Pattern LOG_STREAM = Pattern.compile("[^:*]*");

    /** A path or query identifier of the model's Microvm(Image)Identifier shapes. */
    static String identifier(String field, String value) {
        if (value == null || value.isEmpty()) throw ApiException.validation(field + " is required");
        if (value.length() > MAX_IDENTIFIER) {
            throw ApiException.validation(field + " must be at most " + MAX_IDENTIFIER + " characters");
        }
        return value;
    }

    /** A NonBlankString or Version field (null when absent). */
    static String nonBlank(ObjectNode body, String field, boolean required) {
        String s = Fields.string(body, field, required, 2048);
        if (s != null && !NON_BLANK.matcher(s).matches()) {
            throw ApiException.validation(field + " must be non-empty and contain no whitespace");
        }
        return s;
    }

    /** A RoleArn field (null when absent and not required). */
    static String roleArn(ObjectNode body, String field, boolean required) {
        String s = Fields.string(body, field, required, 2048);
        if (s != null && (s.length() < 20 || !ROLE_ARN.matcher(s).matches())) {
            throw ApiException.validation(field + " must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), got '"
                    + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'");
        }
        return s;
    }

    static String clientToken(ObjectNode body) {
        return Fields.string(body, "clientToken", false, MAX_CLIENT_TOKEN);
    }

    /** The model's Logging union: exactly one of {@code disabled} ({}) and {@code cloudWatch} (logGroup, logStream). */
    static void logging(ObjectNode body) {
        ObjectNode logging = Fields.object(body, "logging");
        if (logging == null) return;
        boolean disabled = present(logging, "disabled"), cloudWatch = present(logging, "cloudWatch");
        if (disabled == cloudWatch) {
            throw ApiException.validation("logging must have exactly one of disabled and cloudWatch");
        }
        if (disabled) {
            Fields.object(logging, "disabled");
            return;
        }
        ObjectNode cw = Fields.named("logging.cloudWatch", Fields.object(logging, "cloudWatch"));
        String group = Fields.string(cw, "logging.cloudWatch.logGroup", false, 512);
        if (group != null && (group.isEmpty() || !LOG_GROUP.matcher(group).matches())) {
            throw ApiException.validation("logging.cloudWatch.logGroup must be 1 to 512 of [a-zA-Z0-9_-/.#]");
        }
        String stream = Fields.string(cw, "logging.cloudWatch.logStream", false, 512);
        if (stream != null && (stream.isEmpty() || !LOG_STREAM.matcher(stream).matches())) {
            throw ApiException.validation("logging.cloudWatch.logStream must be 1 to 512 characters without ':' or '*'");
        }
    }

    private static boolean present(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && !v.isNull();
    }
}
