package io.ember.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Turns a REST-JSON error answer (header X-Amzn-ErrorType or body __type) into a typed exception. */
final class Errors {
    private Errors() {}

    static EmberException fromResponse(int status, Optional<String> typeHeader, String requestId, byte[] body) {
        JsonNode json = parse(body);
        String type = typeHeader.map(Errors::normalize).filter(t -> !t.isEmpty())
                .orElseGet(() -> normalize(text(json, "__type")));
        String message = text(json, "message");
        if (message == null) message = text(json, "Message");
        if (type == null || type.isEmpty()) {
            // Not an Ember error document (a proxy page, a framework 404): keep its status and a bounded excerpt.
            type = Integer.toString(status);
            if (message == null) message = excerpt(body);
        }
        if (message == null) message = "";
        return create(type, status, requestId, message, text(json, "resourceType"), text(json, "resourceId"));
    }

    static EmberException create(String type, int status, String requestId, String message,
                                 String resourceType, String resourceId) {
        return switch (type) {
            case "ValidationException" -> new ValidationException(status, requestId, message);
            case "ResourceNotFoundException" ->
                    new ResourceNotFoundException(status, requestId, message, resourceType, resourceId);
            case "ConflictException" -> new ConflictException(status, requestId, message);
            case "AccessDeniedException" -> new AccessDeniedException(status, requestId, message);
            case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
                 "MissingAuthenticationTokenException" -> new AuthenticationException(type, status, requestId, message);
            case "ServiceQuotaExceededException" -> new ServiceQuotaExceededException(status, requestId, message);
            case "InternalServerException" -> new InternalServerException(status, requestId, message);
            case "InsufficientCapacityException" -> new InsufficientCapacityException(status, requestId, message);
            case "ThrottlingException" -> new ThrottlingException(status, requestId, message);
            default -> new EmberException(type, status, requestId, message);
        };
    }

    /** The status the model gives a type, for errors that arrive inside a 200 stream. */
    static int statusOf(String type) {
        return switch (type) {
            case "ValidationException" -> 400;
            case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                 "IncompleteSignatureException", "MissingAuthenticationTokenException" -> 403;
            case "ServiceQuotaExceededException" -> 402;
            case "ResourceNotFoundException" -> 404;
            case "ConflictException" -> 409;
            case "ThrottlingException" -> 429;
            default -> 500;
        };
    }

    /** {@code aws.lambda#ConflictException:http://internal/...} becomes {@code ConflictException}. */
    static String normalize(String raw) {
        if (raw == null) return null;
        String t = raw.trim();
        int colon = t.indexOf(':');
        if (colon >= 0) t = t.substring(0, colon);
        int hash = t.lastIndexOf('#');
        if (hash >= 0) t = t.substring(hash + 1);
        return t;
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : Json.MAPPER.readTree(body);
        } catch (java.io.IOException notJson) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        if (json == null || !json.isObject()) return null;
        JsonNode v = json.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static String excerpt(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "HTTP error without a body" : s;
    }
}
